/**
 * Fake Software Catalog / Service Definition endpoints, shaped like the real ones (paths, parameters and bodies
 * as in @datadog/datadog-api-client's SoftwareCatalogApi and ServiceDefinitionApi and Datadog's API reference):
 *
 * - `GET /api/v2/catalog/entity?page[offset]&page[limit]&include=schema` → `{data, included, meta, links}`; each
 *   entity links its definition through `relationships.schema.data.id`, the definition itself is in `included`
 *   (`type: schema`, `attributes.schema`) only when `include=schema` was asked for.
 * - `GET /api/v2/services/definitions?page[size]&page[number]&schema_version` → `{data}`, pages 0-based,
 *   `page[size]` at most 100, definitions converted up to the requested schema version.
 *
 * Both check the DD-API-KEY / DD-APPLICATION-KEY headers when `store.keys` is set (403 otherwise), stamp fresh
 * timestamps into `meta` on every call (they must never reach a snapshot), and list items in `store.order`
 * so that tests can prove the output does not depend on the API's order.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DatadogKeys, FakeDatadog, FakePlugin } from '../server';
import { authorized } from '../server';

export interface FakeEntity {
  /** Entity id (a UUID in Datadog). */
  readonly id: string;
  /** The v3 definition (`apiVersion`, `kind`, `metadata`, `spec`, …). */
  readonly definition: Record<string, unknown>;
  /** List the entity without its definition in `included` (Datadog does this for entities with broken schemas). */
  readonly withoutSchema?: boolean;
}

export interface FakeServiceDefinition {
  readonly id: string;
  /** As ingested: `schema-version` v2, v2.1 or v2.2. */
  readonly definition: Record<string, unknown>;
}

export interface CatalogStore {
  entities: FakeEntity[];
  definitions: FakeServiceDefinition[];
  /** Required header values; unset: any (or no) keys are accepted. */
  keys?: DatadogKeys;
  /** Order in which items are listed: as stored (default) or reversed. */
  order?: 'stored' | 'reversed';
}

const ENTITY_MAX_LIMIT = 100;
const DEFINITION_MAX_SIZE = 100;
const INCLUDE_TYPES = new Set(['schema', 'raw_schema', 'oncall', 'incident', 'relation']);
const SCHEMA_VERSIONS = ['v1', 'v2', 'v2.1', 'v2.2'];

export function catalogRoutes(store: CatalogStore): FakePlugin {
  return (app: FastifyInstance, _dd: FakeDatadog) => {
    app.get('/api/v2/catalog/entity', async (req, reply) => {
      if (!authorized(store.keys, req, reply)) return reply;
      const q = req.query as Record<string, string | undefined>;
      const offset = intParam(q['page[offset]'], 0);
      const limit = intParam(q['page[limit]'], 100);
      if (offset === undefined || limit === undefined || limit < 1 || limit > ENTITY_MAX_LIMIT)
        return badRequest(reply, `invalid page parameters (page[limit] must be 1..${ENTITY_MAX_LIMIT})`);
      const include = q.include;
      if (include !== undefined && !INCLUDE_TYPES.has(include)) return badRequest(reply, `invalid include ${include}`);
      const all = ordered(store, store.entities);
      const page = all.slice(offset, offset + limit);
      const now = new Date().toISOString();
      const data = page.map((e) => entityData(e, now));
      const included =
        include === 'schema'
          ? page
              .filter((e) => !e.withoutSchema)
              .map((e) => ({ id: e.id, type: 'schema', attributes: { schema: e.definition } }))
          : undefined;
      const next = offset + limit < all.length ? offset + limit : undefined;
      return {
        data,
        ...(included ? { included } : {}),
        meta: { count: all.length, includeCount: included?.length ?? 0 },
        links: {
          self: `/api/v2/catalog/entity?page[offset]=${offset}&page[limit]=${limit}`,
          ...(next !== undefined ? { next: `/api/v2/catalog/entity?page[offset]=${next}&page[limit]=${limit}` } : {}),
        },
      };
    });

    app.get('/api/v2/services/definitions', async (req, reply) => {
      if (!authorized(store.keys, req, reply)) return reply;
      const q = req.query as Record<string, string | undefined>;
      const size = intParam(q['page[size]'], 10);
      const number = intParam(q['page[number]'], 0);
      if (size === undefined || number === undefined || size < 1 || size > DEFINITION_MAX_SIZE)
        return badRequest(reply, `invalid page parameters (page[size] must be 1..${DEFINITION_MAX_SIZE})`);
      const version = q.schema_version;
      if (version !== undefined && !SCHEMA_VERSIONS.includes(version))
        return badRequest(reply, `invalid schema_version ${version}`);
      const all = ordered(store, store.definitions);
      const now = new Date().toISOString();
      return {
        data: all.slice(number * size, (number + 1) * size).map((d) => ({
          id: d.id,
          type: 'service-definition',
          attributes: {
            meta: {
              'ingested-schema-version': d.definition['schema-version'],
              'ingestion-source': 'api',
              'last-modified-time': now,
              origin: 'api',
              warnings: [],
            },
            schema: version ? convertUp(d.definition, version) : d.definition,
          },
        })),
      };
    });
  };
}

function entityData(e: FakeEntity, now: string): Record<string, unknown> {
  const def = e.definition as { apiVersion?: string; kind?: string; metadata?: Record<string, unknown> };
  return {
    id: e.id,
    type: 'entity',
    attributes: {
      apiVersion: def.apiVersion,
      kind: def.kind,
      name: def.metadata?.name,
      namespace: 'default',
      owner: def.metadata?.owner,
      tags: def.metadata?.tags ?? [],
    },
    meta: { createdAt: '2024-01-01T00:00:00Z', modifiedAt: now, ingestionSource: 'api', origin: 'api' },
    relationships: { schema: { data: { id: e.id, type: 'schema' } } },
  };
}

function ordered<T>(store: CatalogStore, items: readonly T[]): T[] {
  return store.order === 'reversed' ? [...items].reverse() : [...items];
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ errors: [message] });
}

function intParam(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * What Datadog does when asked for a newer schema version than the one ingested: v2 `repos`/`docs` become links,
 * a v2 PagerDuty URL string becomes `{service-url}`. Older-than-ingested requests are answered as ingested (the
 * pull never asks for those).
 */
function convertUp(def: Record<string, unknown>, version: string): Record<string, unknown> {
  const from = String(def['schema-version']);
  if (SCHEMA_VERSIONS.indexOf(version) <= SCHEMA_VERSIONS.indexOf(from)) return def;
  const out: Record<string, unknown> = { ...def, 'schema-version': version };
  if (from === 'v2') {
    const links = [...((def.links as unknown[]) ?? [])];
    for (const repo of (def.repos as { name: string; url: string; provider?: string }[]) ?? [])
      links.push({ ...repo, type: 'repo' });
    for (const doc of (def.docs as { name: string; url: string; provider?: string }[]) ?? [])
      links.push({ ...doc, type: 'doc' });
    delete out.repos;
    delete out.docs;
    if (links.length > 0) out.links = links;
    const integrations = def.integrations as { pagerduty?: unknown } | undefined;
    if (typeof integrations?.pagerduty === 'string')
      out.integrations = { ...integrations, pagerduty: { 'service-url': integrations.pagerduty } };
  }
  return out;
}
