/**
 * Request bodies checked against the official API client's own models (`@datadog/datadog-api-client`), so the
 * fake rejects what Datadog rejects: a body the client's `ObjectSerializer.deserialize` throws on (missing
 * required attribute, wrong type, unexpected attribute on a closed model) or marks `_unparsed` (an enum value it
 * does not know, an object that matches no member of a oneOf) is answered 400.
 *
 * The serializer only says *that* a body is bad (`missing required property 'layoutType'`, `unknown type 'string'`,
 * or a silent `_unparsed` flag); the walk here follows the same models (each class's `getAttributeTypeMap()`, each
 * enum module's values, each oneOf's members from its type declaration) to say *where*, in the JSON names a client
 * sent: `widgets[0].definition.requests[0].display_type: unknown enum value "bogus" (WidgetDisplayType: area, bars,
 * line, overlay)`. The serializer stays the judge: a body the walk accepts but the serializer rejects is still
 * rejected, with the serializer's own message. One stricter rule than the client: `null` for a required attribute
 * counts as missing (the client lets it through; no API accepts a null name or query).
 *
 * Error bodies have the shape the client expects for 400 on each endpoint (its response processors in
 * dist/packages/datadog-api-client-v{1,2}/apis/*Api.js): `APIErrorResponse`, `{"errors": ["..."]}`, for most
 * (API reference, e.g. https://docs.datadoghq.com/api/latest/monitors/#create-a-monitor: 400 "Bad Request"
 * APIErrorResponse), and `JSONAPIErrorResponse`, `{"errors": [{"status": "400", "title": "Bad Request",
 * "detail": "..."}]}`, for `SpansApi.listSpans`. The message wording is the fake's own.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UnparsedObject } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common/util';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bodyOf } from './server';

export type ApiVersion = 'v1' | 'v2';
export type ErrorShape = 'APIErrorResponse' | 'JSONAPIErrorResponse';
/** A check of a decoded request body: the problem, or undefined when the body is accepted. */
export type BodyCheck = (body: unknown) => string | undefined;

interface AttributeInfo {
  readonly baseName: string;
  readonly type: string;
  readonly format?: string;
  readonly required?: boolean;
}
interface ModelClass {
  getAttributeTypeMap(): Record<string, AttributeInfo>;
}
type Kind =
  | { readonly kind: 'model'; readonly attributes: Record<string, AttributeInfo> }
  | { readonly kind: 'enum'; readonly values: readonly unknown[] }
  | { readonly kind: 'oneOf'; readonly members: readonly string[] };

const PRIMITIVES = new Set(['string', 'boolean', 'double', 'integer', 'long', 'float', 'number']);
const ARRAY_PREFIX = 'Array<';
const MAP_PREFIX = '{ [key: string]: ';
const TUPLE_PREFIX = '[';
const modelsDir = (version: ApiVersion) =>
  join(
    dirname(require.resolve('@datadog/datadog-api-client/package.json')),
    'dist',
    'packages',
    `datadog-api-client-${version}`,
    'models',
  );
const kinds = new Map<string, Kind | undefined>();

/** A model's module: the class, an enum's values, or nothing (a oneOf); undefined when there is no such model. */
function modelModule(version: ApiVersion, type: string): Record<string, unknown> | undefined {
  try {
    return require(join(modelsDir(version), `${type}.js`)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

interface Serializer {
  deserialize(data: unknown, type: string, format?: string): unknown;
}
const serializers = new Map<ApiVersion, Serializer>();

/**
 * The client's ObjectSerializer, loaded on first use: it requires every model of its API version (v2: ~11 s on 2
 * busy cores), which a fake that only ever sees v1 bodies, or none, should not pay for.
 */
function deserialize(version: ApiVersion, data: unknown, type: string, format = ''): unknown {
  let serializer = serializers.get(version);
  if (!serializer) {
    serializer = (modelModule(version, 'ObjectSerializer') as { ObjectSerializer: Serializer }).ObjectSerializer;
    serializers.set(version, serializer);
  }
  return serializer.deserialize(data, type, format);
}

/** What the client's models say `type` is: a model class, an enum (its values) or a oneOf (its members). */
function kindOf(version: ApiVersion, type: string): Kind | undefined {
  const key = `${version}:${type}`;
  if (kinds.has(key)) return kinds.get(key);
  let kind: Kind | undefined;
  const exported = /^[A-Za-z0-9]+$/.test(type) ? modelModule(version, type) : undefined;
  const cls = exported?.[type] as ModelClass | undefined;
  if (typeof cls?.getAttributeTypeMap === 'function') kind = { kind: 'model', attributes: cls.getAttributeTypeMap() };
  else if (exported) {
    // An enum's module exports its values (`export const QUERY_ALERT = "query alert"`).
    const values = Object.values(exported);
    if (values.length > 0) kind = { kind: 'enum', values };
    else {
      // A oneOf's module exports nothing; its members are in its declaration (`export declare type X = A | B |
      // UnparsedObject;`).
      const decl = new RegExp(`export declare type ${type} = ([^;]+);`).exec(
        readFileSync(join(modelsDir(version), `${type}.d.ts`), 'utf8'),
      );
      if (decl)
        kind = {
          kind: 'oneOf',
          members: decl[1]
            .split('|')
            .map((m) => m.trim())
            .filter((m) => m !== 'UnparsedObject'),
        };
    }
  }
  kinds.set(key, kind);
  return kind;
}

function unparsed(value: unknown): boolean {
  return value instanceof UnparsedObject || (value as { _unparsed?: boolean } | undefined)?._unparsed === true;
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const where = (path: string) => path || '(body)';
const child = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** The first problem with `data` as `type`, with the JSON path to it; undefined when the client accepts it. */
function walk(version: ApiVersion, data: unknown, type: string, format: string, path: string): string | undefined {
  if (data === undefined || data === null || type === 'any') return undefined;
  if (PRIMITIVES.has(type.toLowerCase()))
    return typeof data === type.toLowerCase() ? undefined : `${where(path)}: expected ${type}, got ${show(data)}`;
  if (type === 'Date') return undefined; // the client turns anything into a Date
  if (type.startsWith(ARRAY_PREFIX) || type.startsWith(TUPLE_PREFIX)) {
    if (!Array.isArray(data)) return `${where(path)}: expected an array, got ${show(data)}`;
    // `[A]` (a widget's one request) and `[A, A]` are tuples: like the client, every item is read as the first type.
    const item = type.startsWith(ARRAY_PREFIX) ? type.slice(ARRAY_PREFIX.length, -1) : type.slice(1, -1).split(', ')[0];
    for (let i = 0; i < data.length; i++) {
      const problem = walk(version, data[i], item, format, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (type.startsWith(MAP_PREFIX)) {
    if (!isObject(data)) return `${where(path)}: expected an object, got ${show(data)}`;
    const value = type.slice(MAP_PREFIX.length, -3);
    for (const [k, v] of Object.entries(data)) {
      const problem = walk(version, v, value, format, child(path, k));
      if (problem) return problem;
    }
    return undefined;
  }
  const kind = kindOf(version, type);
  if (!kind) return `${where(path)}: the API client has no model ${type}`;
  if (kind.kind === 'enum')
    return kind.values.includes(data)
      ? undefined
      : `${where(path)}: unknown enum value ${show(data)} (${type}: ${kind.values.join(', ')})`;
  if (kind.kind === 'oneOf') return walkOneOf(version, data, type, kind.members, format, path);
  if (!isObject(data)) return `${where(path)}: expected an object (${type}), got ${show(data)}`;
  const byBaseName = new Map(Object.values(kind.attributes).map((a) => [a.baseName, a]));
  if (!byBaseName.has('additionalProperties')) {
    const extra = Object.keys(data).find((k) => !byBaseName.has(k));
    if (extra !== undefined) return `${child(path, extra)}: unexpected attribute (${type} has no such attribute)`;
  }
  for (const attr of byBaseName.values()) {
    if (attr.baseName === 'additionalProperties') continue;
    const value = data[attr.baseName];
    if (attr.required && (value === undefined || value === null))
      return `${child(path, attr.baseName)}: missing required attribute (${type})`;
    const problem = walk(version, value, attr.type, attr.format ?? '', child(path, attr.baseName));
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Like the client, a value must match exactly one member. When it matches none, the member meant is the one whose
 * enum attributes (the discriminators: `type`, `data_source`, …) the value has and all accept; when exactly one
 * member is meant, its problem is the one reported.
 */
function walkOneOf(
  version: ApiVersion,
  data: unknown,
  type: string,
  members: readonly string[],
  format: string,
  path: string,
): string | undefined {
  const problems = members.map((m) => ({ member: m, problem: walk(version, data, m, format, path) }));
  const clean = problems.filter((p) => p.problem === undefined);
  if (clean.length === 1) return undefined;
  if (clean.length > 1)
    return `${where(path)}: matches more than one ${type} (${clean.map((p) => p.member).join(', ')})`;
  const sameShape = problems.filter((p) => shapeOfType(version, p.member) === shapeOfValue(data));
  if (sameShape.length === 1) return sameShape[0].problem;
  const meant = sameShape.filter((p) => discriminatorsAccept(version, data, p.member));
  if (meant.length === 1) return meant[0].problem;
  const hint = isObject(data) && typeof data.type === 'string' ? ` with type ${show(data.type)}` : '';
  return `${where(path)}: matches no ${type}${hint}`;
}

type Shape = 'array' | 'object' | 'scalar';
const shapeOfValue = (v: unknown): Shape => (Array.isArray(v) ? 'array' : isObject(v) ? 'object' : 'scalar');
/** The shape of the values a member type takes: `Array<…>`, a model/map/oneOf, or a primitive/enum/Date. */
function shapeOfType(version: ApiVersion, type: string): Shape {
  if (type.startsWith(ARRAY_PREFIX) || type.startsWith(TUPLE_PREFIX)) return 'array';
  if (type.startsWith(MAP_PREFIX)) return 'object';
  if (PRIMITIVES.has(type.toLowerCase()) || type === 'Date' || type === 'any') return 'scalar';
  return kindOf(version, type)?.kind === 'enum' ? 'scalar' : 'object';
}

function discriminatorsAccept(version: ApiVersion, data: unknown, member: string): boolean {
  const kind = kindOf(version, member);
  if (kind?.kind !== 'model' || !isObject(data)) return false;
  let matched = 0;
  for (const a of Object.values(kind.attributes)) {
    const k = kindOf(version, a.type);
    if (k?.kind !== 'enum' || data[a.baseName] === undefined) continue;
    if (!k.values.includes(data[a.baseName])) return false;
    matched++;
  }
  return matched > 0;
}

/** The first problem the API client's models find in `body` as a `model` of API `version`; undefined if valid. */
export function modelProblem(body: unknown, version: ApiVersion, model: string): string | undefined {
  const prefix = `invalid ${model}: `;
  if (body === undefined || body === null) return `${prefix}(body): missing`;
  const problem = walk(version, body, model, '', '');
  if (problem) return prefix + problem;
  // The serializer has the last word: whatever the walk missed, it still rejects.
  try {
    if (unparsed(deserialize(version, body, model))) return `${prefix}the API client cannot parse it`;
  } catch (e) {
    return prefix + (e instanceof Error ? e.message : String(e));
  }
  return undefined;
}

/** A body check by the client's model `model` of API `version`. */
export function modelCheck(version: ApiVersion, model: string): BodyCheck {
  return (body) => modelProblem(body, version, model);
}

/** Answer 400 with `message` in the error shape the client expects from the endpoint. */
export function badRequest(reply: FastifyReply, message: string, shape: ErrorShape = 'APIErrorResponse'): FastifyReply {
  return reply
    .code(400)
    .send(
      shape === 'APIErrorResponse'
        ? { errors: [message] }
        : { errors: [{ status: '400', title: 'Bad Request', detail: message }] },
    );
}

/**
 * The decoded JSON body of `req` when `check` accepts it; otherwise answers 400 (in `shape`) and gives undefined,
 * so a route reads: `const body = requestBody(req, reply, modelCheck('v1', 'Dashboard')); if (!body) return reply;`.
 */
export function requestBody<T = Record<string, unknown>>(
  req: FastifyRequest,
  reply: FastifyReply,
  check: BodyCheck,
  shape: ErrorShape = 'APIErrorResponse',
): T | undefined {
  const body = bodyOf(req);
  const problem = check(body);
  if (problem === undefined) return body as T;
  badRequest(reply, problem, shape);
  return undefined;
}
