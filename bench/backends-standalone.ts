/**
 * Runs only the backend benchmarks and prints the table:
 * `npx esbuild bench/backends-standalone.ts --bundle --platform=node --format=esm --outfile=/tmp/b.mjs && node /tmp/b.mjs`
 */
import { backendRows } from './backends.ts';
import { formatTable } from './harness.ts';

console.log(formatTable(await backendRows()));
