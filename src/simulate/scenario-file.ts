/**
 * The user's own scenarios: YAML files in the folder the policy names (`simulate.scenarios`), each holding a list
 * of scenarios given as traffic phases and/or raw series, with what must happen. The shape is defined once here in
 * TypeBox, validated with ajv and published as schema/trace-health-scenarios.schema.json (`npm run schema`), like
 * the policy's. Every problem is reported at once as `file:line:col: path: message`, exit 2.
 */
import { Static, TSchema, Type } from '@sinclair/typebox';
import Ajv, { ErrorObject } from 'ajv';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { compareStrings } from '../catalog/problems';
import { windowMinutes } from '../constructs/service/monitors';
import type { ServicePlan } from '../constructs/service/plan';
import { UserError, UserErrors } from '../errors';
import { decodeUtf8 } from '../input/utf8';
import { yamlSyntaxProblems } from '../input/yaml-errors';
import type { Policy } from '../policy/model';
import type { Expectation, RawSeries, Scenario } from './scenario';
import { COLLECTOR_INTERVAL_MINUTES, DEFAULT_SAMPLE_RATE, Traffic, TrafficPhase } from './traffic';

const Share = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });
const ShareMap = (description: string) =>
  Type.Record(Type.String({ minLength: 1 }), Share('share between 0 and 1'), { description });
const Minute = (description: string) => Type.Integer({ minimum: 0, description });

const PhaseSchema = Type.Object(
  {
    from: Minute('First minute of the phase (the first phase starts at 0).'),
    requestsPerMinute: Type.Optional(
      Type.Number({ minimum: 0, description: 'Requests entering the service per minute (inherited).' }),
    ),
    version: Type.Optional(Type.String({ minLength: 1, description: 'The version serving them (inherited).' })),
    missing: Type.Optional(ShareMap('Share of requests whose spans lack the tag, by required tag.')),
    orphaned: Type.Optional(Share('Share of requests in which one of the service spans loses its parent.')),
    unexpectedRoots: Type.Optional(Share('Share of requests arriving without trace context.')),
    unpaired: Type.Optional(ShareMap('Share of calls to each callee arriving without trace context.')),
    secondTracer: Type.Optional(Share('Share of requests traced by a second tracing library (OpenTelemetry).')),
    errors: Type.Optional(Share('Share of requests that fail (default 0.1).')),
  },
  { additionalProperties: false, description: 'Traffic from minute `from` on; fault shares are 0 unless set.' },
);

const SeriesSchema = Type.Object(
  {
    metric: Type.String({ minLength: 1 }),
    tags: Type.Array(Type.String({ minLength: 1 }), { description: 'key:value tags, e.g. service:x, env:prod.' }),
    points: Type.Array(Type.Tuple([Minute('minute'), Type.Number()]), { description: '[minute, value] pairs.' }),
    gauge: Type.Optional(Type.Boolean({ description: 'A gauge (the last value of a minute wins); counts add up.' })),
  },
  { additionalProperties: false },
);

const ExpectSchema = Type.Object(
  {
    monitor: Type.String({ minLength: 1, description: 'Monitor id as in review/<stack>.yaml (prod_orphan-rate).' }),
    group: Type.Optional(Type.String({ minLength: 1, description: 'Multi-alert group, e.g. version:2.0.0.' })),
    state: Type.Union([Type.Literal('Alert'), Type.Literal('Warn'), Type.Literal('No Data')]),
    by: Minute('Latest minute by which it must be in `state`.'),
    notifies: Type.Optional(Type.Array(Type.String({ pattern: '^@' }), { description: 'Handles it must reach.' })),
    recoversBy: Type.Optional(Minute('It must be OK again by this minute, telling the same handles.')),
  },
  { additionalProperties: false },
);

export const ScenarioSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    service: Type.String({ minLength: 1, description: 'A catalog service with monitors.' }),
    env: Type.Optional(Type.String({ minLength: 1, description: "One of the policy's envs (default: the first)." })),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 20160, description: 'Length (default 6 windows).' })),
    faultStart: Type.Optional(Minute('Notifications before this minute are false alarms (default 0).')),
    caller: Type.Optional(Type.String({ minLength: 1, description: 'Service calling it (default: none).' })),
    callees: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Services it calls.' })),
    traffic: Type.Optional(Type.Array(PhaseSchema, { minItems: 1 })),
    series: Type.Optional(Type.Array(SeriesSchema)),
    expect: Type.Optional(Type.Array(ExpectSchema)),
    mayNotify: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'Notifying monitors allowed to notify besides the expected ones (all others must stay quiet).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ScenarioFileSchema = Type.Object(
  { scenarios: Type.Array(ScenarioSchema, { minItems: 1 }) },
  {
    additionalProperties: false,
    title: 'trace-health simulation scenarios',
    description:
      'Scenarios `trace-health simulate` runs against the monitors synth generates: traffic phases and/or raw ' +
      'metric points, and what must happen (state by a minute, handles notified, recovery).',
  },
);

type ScenarioEntry = Static<typeof ScenarioSchema>;

/** The JSON Schema as published in `schema/trace-health-scenarios.schema.json`. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(ScenarioFileSchema as TSchema)) as Record<string, unknown>;
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...plain };
}

let validate: ReturnType<Ajv['compile']> | undefined;

interface Located {
  readonly entry: ScenarioEntry;
  readonly where: (p: readonly (string | number)[]) => string;
}

/** Read every `*.yaml`/`*.yml` of the folder (sorted by name). `shown` is how messages name the folder. */
export function readScenarioFolder(dir: string, shown: string): Located[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UserError(`${shown}: simulate.scenarios is not a folder`);
    names = readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort(compareStrings);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(
      `${shown}: cannot read the scenario folder named by simulate.scenarios (${(e as Error).message})`,
    );
  }
  const out: Located[] = [];
  const problems: string[] = [];
  for (const n of names) {
    const file = path.join(shown, n);
    try {
      out.push(...parseScenarioFile(file, decodeUtf8(file, readFileSync(path.join(dir, n)))));
    } catch (e) {
      if (e instanceof UserErrors) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new UserErrors(problems);
  return out;
}

/** Parse one scenario file; every problem at once, located. */
export function parseScenarioFile(file: string, text: string): Located[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const syntax = yamlSyntaxProblems(doc, (offset) => lines.linePos(offset), 'YAML');
  if (syntax.length) throw new UserErrors(syntax.map((p) => `${file}:${p.line}:${p.col}: ${p.message}`));
  const data: unknown = doc.toJS();
  /** The position of the key `key` in the mapping at `p` (an unknown key is reported where it is written). */
  const keyAt = (p: readonly (string | number)[], key: string) => {
    const parent = doc.getIn(p, true);
    const pair = isMap(parent) ? parent.items.find((i) => isScalar(i.key) && i.key.value === key) : undefined;
    const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
    return range ? `${file}:${lines.linePos(range[0]).line}:${lines.linePos(range[0]).col}` : where([...p, key]);
  };
  const where = (p: readonly (string | number)[]) => {
    let node = doc.getIn(p, true) as { range?: [number, number] } | undefined;
    for (let i = p.length; (!node || !node.range) && i > 0; i--)
      node = doc.getIn(p.slice(0, i - 1), true) as typeof node;
    const at = node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
    return `${file}:${at.line}:${at.col}`;
  };
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strictTypes: false });
    validate = ajv.compile(ScenarioFileSchema);
  }
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map((e) => located(e, where, keyAt));
    throw new UserErrors([...new Set(problems)]);
  }
  return (data as Static<typeof ScenarioFileSchema>).scenarios.map((entry, i) => ({
    entry,
    where: (p) => where(['scenarios', i, ...p]),
  }));
}

function located(
  e: ErrorObject,
  where: (p: readonly (string | number)[]) => string,
  keyAt: (p: readonly (string | number)[], key: string) => string,
): string {
  const segs = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  const p = segs
    .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
    .join('')
    .replace(/^\./, '');
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    return `${keyAt(segs, key)}: ${p ? `${p}.` : ''}${key}: unknown key`;
  }
  if (e.keyword === 'required')
    message = `missing required key "${(e.params as { missingProperty: string }).missingProperty}"`;
  if (e.keyword === 'enum' || e.keyword === 'const' || e.keyword === 'anyOf')
    message = 'must be Alert, Warn or No Data';
  return `${where(segs)}: ${p || '(file)'}: ${message}`;
}

/** The user's scenarios against the plan: services, envs, monitors and callees must exist. */
export function userScenarios(
  entries: readonly Located[],
  plans: ReadonlyMap<string, ServicePlan>,
  policy: Policy,
): Scenario[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const out: Scenario[] = [];
  for (const { entry: e, where } of entries) {
    const plan = plans.get(e.service);
    const sp = policy.services.find((s) => s.service === e.service);
    if (!plan || !sp) {
      problems.push(
        `${where(['service'])}: service ${JSON.stringify(e.service)} has no monitors (not in the catalog, or disabled)`,
      );
      continue;
    }
    const env = e.env ?? sp.envs[0];
    if (!sp.envs.includes(env))
      problems.push(`${where(['env'])}: env ${JSON.stringify(env)} is not one of ${sp.envs.join(', ')}`);
    const name = `${e.service}/${env}/${e.name}`;
    if (names.has(name))
      problems.push(`${where(['name'])}: a second scenario named ${JSON.stringify(e.name)} for ${e.service}`);
    names.add(name);
    const ids = new Set(plan.monitors.filter((m) => m.role === 'alert').map((m) => m.id));
    const unknown = (id: string) => `monitor ${JSON.stringify(id)} is not a notifying monitor of ${e.service}`;
    (e.expect ?? []).forEach((x, i) => {
      if (!ids.has(x.monitor)) problems.push(`${where(['expect', i, 'monitor'])}: ${unknown(x.monitor)}`);
    });
    (e.mayNotify ?? []).forEach((id, i) => {
      if (!ids.has(id)) problems.push(`${where(['mayNotify', i])}: ${unknown(id)}`);
    });
    if (!e.traffic && !e.series) problems.push(`${where([])}: a scenario needs traffic, series or both`);
    (e.traffic ?? []).forEach((p, i) => {
      if (i === 0 && p.from !== 0)
        problems.push(`${where(['traffic', 0, 'from'])}: the first phase starts at minute 0`);
      if (i > 0 && p.from <= e.traffic![i - 1].from)
        problems.push(`${where(['traffic', i, 'from'])}: phases must start at increasing minutes`);
      for (const callee of Object.keys(p.unpaired ?? {}))
        if (!(e.callees ?? []).includes(callee))
          problems.push(`${where(['traffic', i, 'unpaired', callee])}: ${callee} is not among the scenario's callees`);
    });
    const w = windowMinutes(sp.window);
    const minutes = e.minutes ?? 6 * w;
    const phases: TrafficPhase[] = [];
    for (const p of e.traffic ?? []) {
      const prev = phases[phases.length - 1];
      phases.push({
        ...p,
        requestsPerMinute: p.requestsPerMinute ?? prev?.requestsPerMinute ?? 0,
        version: p.version ?? prev?.version ?? '1.0.0',
      });
    }
    const traffic: Traffic | undefined = phases.length
      ? {
          service: e.service,
          env,
          tags: sp.requiredTags.map((r) => r.tag),
          phases,
          ...(e.caller ? { caller: e.caller } : {}),
          callees: e.callees ?? [],
          sampleRate: DEFAULT_SAMPLE_RATE,
          collectorIntervalMinutes: COLLECTOR_INTERVAL_MINUTES,
        }
      : undefined;
    out.push({
      kind: 'user',
      name,
      service: e.service,
      env,
      description: e.description ?? '',
      minutes,
      faultStart: e.faultStart ?? 0,
      ...(traffic ? { traffic } : {}),
      ...(e.series ? { series: e.series.map((s): RawSeries => ({ ...s, points: s.points })) } : {}),
      expect: (e.expect ?? []).map((x): Expectation => ({
        monitor: x.monitor,
        ...(x.group ? { group: x.group } : {}),
        state: x.state,
        by: x.by,
        notifies: x.notifies ?? [],
        ...(x.recoversBy !== undefined ? { recoversBy: x.recoversBy } : {}),
      })),
      mayNotify: e.mayNotify ?? [],
    });
  }
  if (problems.length) throw new UserErrors(problems);
  return out;
}
