#!/usr/bin/env node
// The `licensekit` command. In a checkout it (re)builds dist/cli from src/
// with esbuild when the build is missing or older than the sources, so
// `npx licensekit …` works right after `npm install`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const src = join(root, 'src');
if (existsSync(src) && existsSync(join(root, 'scripts', 'build.mjs'))) {
  if (!existsSync(built) || statSync(built).mtimeMs < newest(src)) {
    const { buildCli } = await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href);
    await buildCli();
  }
}
const { main } = await import(pathToFileURL(built).href);
await main();
