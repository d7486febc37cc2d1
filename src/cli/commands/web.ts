/**
 * `licensekit web [--port N]`: serves the license inspector page (dist/site,
 * built by `npm run build`) on 127.0.0.1 only, and prints its address. The
 * page runs the library in the browser; the server only hands out its few
 * files. What it serves is read once at start into memory, by name: a request
 * path is looked up among those names, never joined to a directory, so no
 * path (`/../`, `%2e%2e`, a backslash) can reach another file. Every answer
 * carries the page's own Content-Security-Policy (read from its meta tag),
 * and a request naming another host than 127.0.0.1/localhost is refused (DNS
 * rebinding). It runs until interrupted (Ctrl-C, SIGTERM), then exits 0.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { integerFlag, parseCommandArgs } from '../args.ts';
import { CliExit, EXIT, type CliIo } from '../io.ts';

/** The port `licensekit web` listens on when --port is not given. */
export const DEFAULT_WEB_PORT = 4797;

/** `--help` text of the web command. */
export const WEB_HELP = `licensekit web [--port N]

Serves the license inspector page on http://127.0.0.1:N/ (this machine only) and prints its
address. Paste or drop a license and a key there to see every check; the page verifies in the
browser and sends nothing anywhere. The page also works opened as a file: dist/site/index.html.

  --port N   the port (default ${DEFAULT_WEB_PORT}; 0 = any free port)

Runs until interrupted (Ctrl-C). Exit status: 0 stopped, 2 bad usage, the page not built
(npm run build) or the port taken.`;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

interface Served {
  readonly type: string;
  readonly body: Buffer;
}

/** The built page's folder: dist/site in the package this file is part of (found upwards from the running bundle). */
export function siteDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'site');
    if (dirname(dir) === dir) throw new CliExit(EXIT.USAGE, 'cannot find the licensekit package folder (package.json) to serve dist/site from');
  }
}

/** The policy in the page's `<meta http-equiv="Content-Security-Policy">`, which the server sends as a header too. */
export function metaPolicy(html: string): string | null {
  const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  return m ? m[1]! : null;
}

/** Reads the page's files (one level, plain names) into memory. */
function loadSite(dir: string): Map<string, Served> {
  if (!existsSync(join(dir, 'index.html'))) throw new CliExit(EXIT.USAGE, `the inspector page is not built (${join(dir, 'index.html')} is missing): run npm run build`);
  const files = new Map<string, Served>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || !statSync(path).isFile()) continue;
    const ext = name.slice(name.lastIndexOf('.'));
    files.set(`/${name}`, { type: Object.hasOwn(TYPES, ext) ? TYPES[ext]! : 'application/octet-stream', body: readFileSync(path) });
  }
  files.set('/', files.get('/index.html')!);
  return files;
}

/** Runs `licensekit web`. */
export async function webCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { port: { type: 'string', value: 'N' }, help: { type: 'boolean', short: 'h' } }, { command: 'web' });
  if (values.help) {
    io.stdout(WEB_HELP);
    return EXIT.OK;
  }
  const port = integerFlag('port', values.port, 0) ?? DEFAULT_WEB_PORT;
  if (port > 65_535) throw new CliExit(EXIT.USAGE, `--port must be between 0 and 65535, got "${values.port}"`);
  const dir = siteDir();
  const files = loadSite(dir);
  const policy = metaPolicy(files.get('/index.html')!.body.toString('utf8'));
  if (policy === null) throw new CliExit(EXIT.USAGE, `${join(dir, 'index.html')} has no Content-Security-Policy meta tag: rebuild it (npm run build)`);
  // frame-ancestors is ignored in a meta tag; as a header it keeps the page out of other sites' frames.
  const headers = {
    'content-security-policy': `${policy}; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  };
  let allowedHosts: ReadonlySet<string> = new Set();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, type: string, body: Buffer | string): void => {
      res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!allowedHosts.has(req.headers.host ?? '')) return send(403, 'text/plain; charset=utf-8', 'forbidden: use http://127.0.0.1\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    const url = req.url ?? '/';
    const path = url.split(/[?#]/, 1)[0]!;
    const file = files.get(path); // exact names only: nothing is decoded, joined or resolved
    if (!file) return send(404, 'text/plain; charset=utf-8', 'not found\n');
    send(200, file.type, file.body);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new CliExit(EXIT.USAGE, `port ${port} on 127.0.0.1 is taken: choose another with --port N (0 = any free port)`) : new CliExit(EXIT.USAGE, `cannot listen on 127.0.0.1:${port}: ${error.message}`)),
    );
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`]);
  io.stdout(`licensekit web: the license inspector is at http://127.0.0.1:${bound}/ (this machine only; Ctrl-C stops it)`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return EXIT.OK;
}
