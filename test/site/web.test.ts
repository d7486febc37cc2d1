/**
 * `licensekit web` as a real process (bin/licensekit.js): it serves the built
 * inspector page on 127.0.0.1 only (the kernel's socket table says the
 * listening address is loopback; another address of this machine is refused),
 * with the page's own CSP as a header, only the page's files (every traversal
 * spelling is 404, read over a raw socket so no client normalises the path),
 * GET and HEAD only, no foreign Host (DNS rebinding); a taken port or a bad
 * --port is exit 2; SIGTERM stops it with exit 0.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, ROOT, startWeb, type RunningWeb } from './web-server.ts';

const SITE = join(ROOT, 'dist', 'site');

/** One raw HTTP/1.1 request; answers the status code and headers. */
function raw(port: number, requestLine: string, host = `127.0.0.1:${port}`): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${requestLine}\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    let data = '';
    socket.on('data', (c) => (data += c.toString('latin1')));
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), head: data.split('\r\n\r\n')[0]!.toLowerCase() }));
    socket.on('error', reject);
  });
}

/** Local addresses (hex, as /proc/net/tcp* shows them) of the sockets listening on `port`. */
function listeningAddresses(port: number): string[] | null {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) return null;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== '0A') continue; // 0A = LISTEN
      const [addr, hexPort] = f[1]!.split(':');
      if (parseInt(hexPort!, 16) === port) out.push(addr!);
    }
  }
  return out;
}

describe('licensekit web', () => {
  let web: RunningWeb;
  let port: number;

  beforeAll(async () => {
    const { buildSite } = (await import(new URL('../../scripts/build.mjs', import.meta.url).href)) as { buildSite(outDir?: string): Promise<void> };
    await buildSite();
    web = await startWeb();
    port = Number(new URL(web.url).port);
  }, 120_000);

  afterAll(async () => {
    await web?.stop();
  });

  test('prints its address, on 127.0.0.1, and serves the page with its own CSP as a header', async () => {
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(readFileSync(join(SITE, 'index.html'), 'utf8'))![1]!;
    expect(meta).toContain("connect-src 'none'");
    for (const path of ['/', '/index.html', '/app.js', '/style.css', '/licensekit-site.iife.js']) {
      const response = await fetch(new URL(path, web.url));
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy'), path).toBe(`${meta}; frame-ancestors 'none'`);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const file = path === '/' ? 'index.html' : path.slice(1);
      expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(join(SITE, file))), path).toBe(true);
    }
    expect((await fetch(new URL('/app.js', web.url))).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  test('the listening socket is bound to the loopback address only', async () => {
    const addresses = listeningAddresses(port);
    if (addresses !== null) expect(addresses).toEqual(['0100007F']); // 127.0.0.1, and no IPv6 or wildcard socket
    const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      const outcome = await new Promise<string>((resolve) => {
        const s = connect(port, external.address, () => {
          s.destroy();
          resolve('connected');
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(outcome, `connecting to ${external.address}:${port}`).toBe('ECONNREFUSED');
    }
    expect(addresses !== null || external !== undefined).toBe(true); // at least one of the two checks ran
  });

  test('only the page files: every traversal spelling is 404, other methods 405, another Host 403', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/.%2e/package.json', '/..\\package.json', '//etc/passwd', '/dist/site/index.html', '/index.html/..', '/./index.html', '/%69ndex.html', '/.', '/nope']) {
      expect((await raw(port, `GET ${path} HTTP/1.1`)).status, path).toBe(404);
    }
    expect((await raw(port, 'GET /index.html?x=1 HTTP/1.1')).status).toBe(200);
    const head = await raw(port, 'HEAD / HTTP/1.1');
    expect(head.status).toBe(200);
    expect(head.head).toContain("content-security-policy: default-src 'none'");
    const post = await raw(port, 'POST / HTTP/1.1');
    expect(post.status).toBe(405);
    expect(post.head).toContain('allow: get, head');
    expect((await raw(port, 'GET / HTTP/1.1', `attacker.example:${port}`)).status).toBe(403);
    expect((await raw(port, 'GET / HTTP/1.1', `localhost:${port}`)).status).toBe(200);
  });

  test('a taken port and a bad --port are exit 2 with a message; --help is exit 0', async () => {
    const run = promisify(execFile);
    const fail = async (...args: string[]): Promise<{ code: number; stderr: string }> => {
      try {
        await run(process.execPath, [BIN, 'web', ...args], { cwd: ROOT, timeout: 30_000 });
        return { code: 0, stderr: '' };
      } catch (error) {
        const e = error as { code: number; stderr: string };
        return { code: e.code, stderr: e.stderr };
      }
    };
    const taken = await fail('--port', String(port));
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain(`port ${port} on 127.0.0.1 is taken`);
    for (const bad of ['70000', '-1', 'http', '']) expect((await fail('--port', bad)).code, bad).toBe(2);
    expect((await fail('--host', '0.0.0.0')).code).toBe(2);
    const help = await run(process.execPath, [BIN, 'web', '--help'], { cwd: ROOT });
    expect(help.stdout).toContain('licensekit web [--port N]');
  });

  test('SIGTERM stops it with exit 0', async () => {
    const other = await startWeb();
    expect((await fetch(other.url)).status).toBe(200);
    expect(await other.stop()).toBe(0);
  });
});
