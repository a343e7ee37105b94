/**
 * Fake metrics intake: `POST /api/v2/series` (MetricsApi.submitMetrics). The server decodes gzip/deflate bodies;
 * this route checks the payload shape and the limits the real intake enforces (500 KB per payload, points at most
 * 1 hour old and 10 minutes ahead) and keeps every accepted payload.
 */
import type { FastifyInstance } from 'fastify';
import type { FakeDatadog, FakePlugin } from '../server';
import { bodyOf } from '../server';

export interface MetricsStore {
  /** Accepted payloads, in order. */
  readonly payloads: {
    series: { metric: string; type?: number; points: { timestamp: number; value: number }[]; tags?: string[] }[];
  }[];
  /** "now" for the age check (ms); default Date.now(). */
  now?: () => number;
}

export function metricsStore(): MetricsStore {
  return { payloads: [] };
}

export const MAX_PAYLOAD_BYTES = 512_000;

export function metricsRoutes(store: MetricsStore): FakePlugin {
  return (app: FastifyInstance, _dd: FakeDatadog) => {
    app.post('/api/v2/series', async (req, reply) => {
      const raw = req.body as Buffer | undefined;
      const body = bodyOf<MetricsStore['payloads'][number]>(req);
      const size = Buffer.byteLength(JSON.stringify(body ?? ''));
      if (size > MAX_PAYLOAD_BYTES || (raw && raw.length > MAX_PAYLOAD_BYTES))
        return reply.code(413).send({ errors: ['Payload too large'] });
      if (!body || !Array.isArray(body.series)) return reply.code(400).send({ errors: ['series is required'] });
      const nowSec = (store.now?.() ?? Date.now()) / 1000;
      for (const s of body.series)
        for (const p of s.points ?? [])
          if (p.timestamp < nowSec - 3600 || p.timestamp > nowSec + 600)
            return reply.code(400).send({ errors: [`point of ${s.metric} outside the accepted time range`] });
      store.payloads.push(body);
      return reply.code(202).send({ errors: [] });
    });
  };
}
