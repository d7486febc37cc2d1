/**
 * vitest globalSetup: builds the library bundles (esbuild, well under a
 * second) before any test runs, so the host tests (Chromium, QuickJS) and the
 * bundle checks always exercise bundles made from the current sources, also on
 * a fresh clone where dist/ does not exist.
 */
export default async function buildBundles(): Promise<void> {
  const script = new URL('../../scripts/build.mjs', import.meta.url).href;
  const { buildLibrary } = (await import(script)) as { buildLibrary(): Promise<void> };
  await buildLibrary();
}
