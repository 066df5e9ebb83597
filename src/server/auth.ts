/**
 * @module
 * Access to the dashboard and API. On a loopback bind without a token,
 * everyone on the machine may read. With a token (required on any other
 * bind), a request must carry it: `Authorization: Bearer TOKEN`, the
 * `sipsnare_token` cookie, or `?token=TOKEN` once (a browser's first visit),
 * which sets the cookie and redirects to the same URL without the token.
 *
 * Must compare tokens in constant time, and never echo a token back.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const TOKEN_COOKIE = 'sipsnare_token';

/** Paths that answer without a token: a liveness probe says nothing about the data. */
const OPEN_PATHS = new Set(['/healthz']);

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** `true` when `candidate` equals `token`, in time independent of where they differ. */
export function tokenMatches(token: string, candidate: string | undefined): boolean {
  if (candidate === undefined) return false;
  return timingSafeEqual(digest(token), digest(candidate));
}

/** `true` for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function bearer(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

function withoutToken(url: string): string {
  const u = new URL(url, 'http://x');
  u.searchParams.delete('token');
  return u.pathname + u.search;
}

/** Adds the token check to every route of `app` (no-op when `token` is null). */
export function installAuth(app: FastifyInstance, token: string | null): void {
  if (token === null) return;
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (OPEN_PATHS.has(req.url.split('?')[0] ?? '')) return;
    if (tokenMatches(token, bearer(req.headers.authorization))) return;
    if (tokenMatches(token, cookieValue(req.headers.cookie, TOKEN_COOKIE))) return;
    const query = new URL(req.url, 'http://x').searchParams.get('token') ?? undefined;
    if (tokenMatches(token, query)) {
      await reply
        .header(
          'set-cookie',
          `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        )
        .redirect(withoutToken(req.url), 303);
      return;
    }
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="sipsnare"')
      .send({ error: 'unauthorized', message: 'a token is required (Authorization: Bearer)' });
  });
}
