/**
 * Fake v1 events intake: `POST /api/v1/events` (EventsApi.createEvent). Checks what Datadog's API reference
 * documents for the body (https://docs.datadoghq.com/api/latest/events/#post-an-event): `title` and `text`
 * required, `text` at most 4,000 characters, `aggregation_key` at most 100, `date_happened` an integer no older
 * than 18 hours, `alert_type` and `priority` from their enums, `tags` a list of strings. Answers 202 with
 * `{status:"ok", event:{…}}` like the real endpoint, 400 `{errors:[…]}` otherwise. Only DD-API-KEY is checked
 * (the endpoint takes no application key). Keeps every accepted event.
 */
import type { FastifyInstance } from 'fastify';
import type { FakeDatadog, FakePlugin } from '../server';
import { bodyOf } from '../server';

export interface PostedEvent {
  readonly title: string;
  readonly text: string;
  readonly tags?: string[];
  readonly aggregation_key?: string;
  readonly alert_type?: string;
  readonly priority?: string;
  readonly date_happened?: number;
}

export interface EventsStore {
  /** Accepted events, in order. */
  readonly events: PostedEvent[];
  /** Required DD-API-KEY, when set. */
  apiKey?: string;
  /** "now" for the age check (ms); default Date.now(). */
  now?: () => number;
}

export function eventsStore(): EventsStore {
  return { events: [] };
}

const ALERT_TYPES = ['error', 'warning', 'info', 'success', 'user_update', 'recommendation', 'snapshot'];
const PRIORITIES = ['normal', 'low'];
const MAX_AGE_S = 18 * 3600;

/** What is wrong with the body, or undefined. */
function problem(b: Record<string, unknown> | undefined, nowSec: number): string | undefined {
  if (!b || typeof b !== 'object' || Array.isArray(b)) return 'Invalid JSON body';
  if (typeof b.title !== 'string') return "Missing required field 'title'";
  if (typeof b.text !== 'string') return "Missing required field 'text'";
  if (b.text.length > 4000) return 'text is longer than 4000 characters';
  if (b.aggregation_key !== undefined && (typeof b.aggregation_key !== 'string' || b.aggregation_key.length > 100))
    return 'aggregation_key must be a string of at most 100 characters';
  if (b.alert_type !== undefined && !ALERT_TYPES.includes(b.alert_type as string))
    return `Invalid alert_type ${JSON.stringify(b.alert_type)}`;
  if (b.priority !== undefined && !PRIORITIES.includes(b.priority as string))
    return `Invalid priority ${JSON.stringify(b.priority)}`;
  if (b.tags !== undefined && !(Array.isArray(b.tags) && b.tags.every((t) => typeof t === 'string')))
    return 'tags must be a list of strings';
  if (b.date_happened !== undefined) {
    if (!Number.isInteger(b.date_happened)) return 'date_happened must be an integer (POSIX seconds)';
    if ((b.date_happened as number) < nowSec - MAX_AGE_S) return 'date_happened is older than 18 hours';
  }
  return undefined;
}

export function eventsRoutes(store: EventsStore): FakePlugin {
  return (app: FastifyInstance, _dd: FakeDatadog) => {
    app.post('/api/v1/events', async (req, reply) => {
      if (store.apiKey !== undefined && req.headers['dd-api-key'] !== store.apiKey)
        return reply.code(403).send({ errors: ['Forbidden'] });
      const nowSec = Math.floor((store.now?.() ?? Date.now()) / 1000);
      const body = bodyOf<Record<string, unknown> | undefined>(req);
      const bad = problem(body, nowSec);
      if (bad) return reply.code(400).send({ errors: [bad] });
      const event = body as unknown as PostedEvent;
      store.events.push(event);
      const id = 1000 + store.events.length;
      return reply.code(202).send({
        status: 'ok',
        event: {
          id,
          id_str: String(id),
          title: event.title,
          text: event.text,
          date_happened: event.date_happened ?? nowSec,
          tags: event.tags ?? [],
          priority: event.priority ?? 'normal',
          alert_type: event.alert_type ?? 'info',
          url: `https://app.datadoghq.com/event/event?id=${id}`,
        },
      });
    });
  };
}
