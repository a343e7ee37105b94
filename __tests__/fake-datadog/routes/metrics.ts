/**
 * Fake metrics intake: `POST /api/v2/series` (MetricsApi.submitMetrics). The server decodes gzip/deflate bodies;
 * this route reads the payload with the API client's `MetricPayload` model (unknown `type`, a series without
 * `metric` or `points`, a wrong type: 400), checks the limits the real intake enforces (500 KB per payload, points
 * at most 1 hour old and 10 minutes ahead) and keeps every accepted payload.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, modelCheck, requestBody } from '../api-models';
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
      const size = Buffer.byteLength(JSON.stringify(bodyOf(req) ?? ''));
      if (size > MAX_PAYLOAD_BYTES || (raw && raw.length > MAX_PAYLOAD_BYTES))
        return reply.code(413).send({ errors: ['Payload too large'] });
      const body = requestBody<MetricsStore['payloads'][number]>(req, reply, modelCheck('v2', 'MetricPayload'));
      if (!body) return reply;
      const nowSec = (store.now?.() ?? Date.now()) / 1000;
      for (const s of body.series)
        for (const p of s.points)
          if (p.timestamp < nowSec - 3600 || p.timestamp > nowSec + 600)
            return badRequest(reply, `point of ${s.metric} outside the accepted time range`);
      store.payloads.push(body);
      return reply.code(202).send({ errors: [] });
    });
  };
}
