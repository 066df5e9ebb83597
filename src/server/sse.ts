/**
 * @module
 * `/api/live`: Server-Sent Events of the live feed. Each batch of the feed
 * becomes one `events` message (the events, JSON) and one `finding` message
 * per finding; a comment line every 15 s keeps proxies from closing the
 * stream. Filters (`method`, `src_ip`, `sensor`) apply on the server.
 *
 * Must stay bounded: at most MAX_CLIENTS streams, and a client that does
 * not read (its socket buffer above MAX_BUFFERED) misses batches instead of
 * growing our memory.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import type { LiveBatch, LiveEvent } from './live.js';
import { LIVE_QUERY } from './live-doc.js';

export const MAX_CLIENTS = 32;
const MAX_BUFFERED = 1 << 20;
export const KEEPALIVE_MS = 15_000;

interface LiveFilter {
  readonly method?: string;
  readonly src_ip?: string;
  readonly sensor?: string;
}

function matches(f: LiveFilter, ev: LiveEvent): boolean {
  return (
    (f.method === undefined || ev.method === f.method) &&
    (f.src_ip === undefined || ev.src_ip === f.src_ip) &&
    (f.sensor === undefined || ev.sensor === f.sensor)
  );
}

function frame(kind: string, data: unknown): string {
  return `event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function installLive(app: FastifyInstance, ctx: ServerContext): void {
  let clients = 0;
  app.get(
    '/api/live',
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: LIVE_QUERY },
      },
    },
    async (req, reply) => {
      const live = ctx.live;
      if (live === null) {
        return reply
          .code(404)
          .send({ error: 'no live feed: this server reads a store nobody writes here' });
      }
      if (clients >= MAX_CLIENTS) return reply.code(503).send({ error: 'too many live clients' });
      const filter = req.query as LiveFilter;
      const res = reply.raw;
      reply.hijack();
      clients++;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        connection: 'keep-alive',
      });
      res.write(frame('hello', { recent: live.recent }));
      const send = (batch: LiveBatch): void => {
        if (res.writableLength > MAX_BUFFERED) return;
        const events = batch.events.filter((e) => matches(filter, e));
        if (events.length > 0 || batch.skipped > 0) {
          res.write(frame('events', { events, skipped: batch.skipped }));
        }
        for (const f of batch.findings) res.write(frame('finding', f));
      };
      const unsubscribe = live.subscribe(send);
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      req.raw.on('close', () => {
        clearInterval(keepalive);
        unsubscribe();
        clients--;
      });
      return reply;
    },
  );
}
