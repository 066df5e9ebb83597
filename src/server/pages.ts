/**
 * @module
 * The dashboard's pages: the Vite build (dist/web) read into memory at
 * start, served from a fixed table (so no request path ever reaches the
 * file system), with the page routes all answering index.html (the front
 * end picks the view from the path).
 *
 * A build without the front end (no dist/web) still serves the API; the
 * pages then answer 503 with how to build them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

export const PAGE_PATHS = [
  '/',
  '/sources',
  '/sources/:ip',
  '/calls',
  '/tools',
  '/credentials',
  '/live',
] as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/** dist/web next to dist/server (built), or the repository's dist/web (run from src/ by tsx). */
export function defaultWebRoot(): string {
  const candidates = [
    fileURLToPath(new URL('../web/', import.meta.url)),
    fileURLToPath(new URL('../../dist/web/', import.meta.url)),
  ];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0] ?? '';
}

function readAssets(root: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const url = '/' + relative(root, full).split(sep).join('/');
        out.set(url, {
          body: readFileSync(full),
          type: TYPES[extname(name)] ?? 'application/octet-stream',
        });
      }
    }
  };
  if (existsSync(join(root, 'index.html'))) walk(root);
  return out;
}

export function installPages(app: FastifyInstance, root = defaultWebRoot()): void {
  const assets = readAssets(root);
  const index = assets.get('/index.html');
  for (const path of PAGE_PATHS) {
    app.get(path, async (_req, reply) => {
      if (index === undefined) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('dashboard not built: run npm install (or npm run build:web)\n');
      }
      return reply.type(index.type).header('cache-control', 'no-cache').send(index.body);
    });
  }
  app.get('/assets/*', async (req, reply) => {
    const asset = assets.get(req.url.split('?')[0] ?? '');
    if (asset === undefined) return reply.code(404).send({ error: 'not found' });
    return reply
      .type(asset.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(asset.body);
  });
}
