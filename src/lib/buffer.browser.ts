/**
 * buffer.ts for the browser bundles (swapped in by scripts/build.mjs): no Buffer there, so every function declines
 * and bytes.ts uses its portable paths, which give the same bytes. Keeps the Node-only code out of the 40 KiB budget.
 */
export const bufferAlloc = (_length: number): Uint8Array | null => null;
export const bufferDecodeBase64 = (_text: string): Uint8Array | null => null;
export const bufferLatin1 = (_bytes: Uint8Array): string | null => null;
