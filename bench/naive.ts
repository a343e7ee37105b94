/**
 * The naive baseline for `bench:synth`: the same Terraform resources the real synth produced, built the way a
 * first CDKTF project builds them — one custom construct per resource wrapping a typed provider class, default
 * `App` settings (stack traces on), and cross-resource references as cdktf tokens (`slo.id`), not text.
 *
 * It replays the real synth's `cdk.tf.json` files so that the resource count and content are identical by
 * construction; only the way they are built differs. The replay's input is read before the clock of the build
 * phase starts, so reading JSON is not counted as construct work.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { App, LocalBackend, TerraformOutput, TerraformResource, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import {
  DashboardJson,
  DashboardList,
  DatadogProvider,
  Monitor,
  ServiceLevelObjective,
  SpansMetric,
} from '../src/datadog/provider';

type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
type JsonObject = { [k: string]: JsonValue };

export interface StackJson {
  readonly name: string;
  readonly json: JsonObject;
}

/** `cdktf.out/stacks/<name>/cdk.tf.json` for every stack (or only `only`), sorted by name. */
export function readSynthOutput(outDir: string, only?: readonly string[]): StackJson[] {
  const stacksDir = join(outDir, 'stacks');
  return readdirSync(stacksDir)
    .filter((name) => !only || only.includes(name))
    .filter((name) => existsSync(join(stacksDir, name, 'cdk.tf.json')))
    .sort()
    .map((name) => ({ name, json: JSON.parse(readFileSync(join(stacksDir, name, 'cdk.tf.json'), 'utf8')) }));
}

export function countResources(stacks: readonly StackJson[]): number {
  let n = 0;
  for (const s of stacks) {
    const res = (s.json.resource ?? {}) as JsonObject;
    for (const byName of Object.values(res)) n += Object.keys(byName as JsonObject).length;
  }
  return n;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ResourceClass = new (scope: Construct, id: string, config: any) => TerraformResource;

const CLASSES: Readonly<Record<string, ResourceClass>> = {
  datadog_monitor: Monitor,
  datadog_service_level_objective: ServiceLevelObjective,
  datadog_dashboard_json: DashboardJson,
  datadog_dashboard_list: DashboardList,
  datadog_spans_metric: SpansMetric,
};

/** Provider attribute names are snake_case in Terraform and camelCase in the jsii config types. */
function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const REF = /\$\{(datadog_[a-z_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g;

function refsIn(value: JsonValue, out: Set<string>): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(REF)) out.add(`${m[1]}.${m[2]}`);
  else if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) refsIn(v, out);
  return out;
}

/** Config for a typed class: camelCase keys, cdktf metadata dropped, references turned into tokens. */
function toConfig(value: JsonValue, resolve: (type: string, name: string, attr: string) => string): unknown {
  if (typeof value === 'string') return value.replace(REF, (_, t: string, n: string, a: string) => resolve(t, n, a));
  if (Array.isArray(value)) return value.map((v) => toConfig(v, resolve));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '//' || k === 'depends_on') continue;
      out[camel(k)] = toConfig(v, resolve);
    }
    return out;
  }
  return value;
}

/** One construct per resource: the wrapper a project grows when every resource gets its own class. */
class NaiveResource extends Construct {
  readonly resource: TerraformResource;
  constructor(scope: Construct, id: string, cls: ResourceClass, config: unknown) {
    super(scope, id);
    this.resource = new cls(this, 'resource', config);
  }
}

class NaiveServiceStack extends TerraformStack {
  /** References that close a dependency cycle in the replayed configuration (a bug in what was replayed). */
  readonly cyclicReferences: string[] = [];

  constructor(scope: Construct, stack: StackJson) {
    super(scope, stack.name);
    const json = stack.json;
    // Variables first: the provider reads its API URL from one.
    const variables = new Map<string, TerraformVariable>();
    for (const [name, body] of Object.entries((json.variable ?? {}) as Record<string, JsonObject>))
      variables.set(name, new TerraformVariable(this, name, toConfig(body, () => '') as object));
    const withVars = (v: JsonValue): JsonValue =>
      typeof v === 'string'
        ? v.replace(/\$\{var\.([A-Za-z0-9_-]+)\}/g, (m, n: string) => variables.get(n)?.stringValue ?? m)
        : Array.isArray(v)
          ? v.map(withVars)
          : v && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withVars(x)]))
            : v;
    const providers = ((json.provider as JsonObject | undefined)?.datadog ?? []) as JsonValue[];
    for (const [i, p] of providers.entries())
      new DatadogProvider(this, i === 0 ? 'datadog' : `datadog_${i}`, toConfig(withVars(p), () => '') as object);
    const local = ((json.terraform as JsonObject | undefined)?.backend as JsonObject | undefined)?.local as
      JsonObject | undefined;
    new LocalBackend(this, { path: typeof local?.path === 'string' ? local.path : 'terraform.tfstate' });

    const resources = (json.resource ?? {}) as Record<string, Record<string, JsonObject>>;
    const entries = new Map<string, { type: string; name: string; body: JsonObject }>();
    for (const type of Object.keys(resources).sort())
      for (const name of Object.keys(resources[type]).sort())
        entries.set(`${type}.${name}`, { type, name, body: resources[type][name] });

    // Create in dependency order so that every reference can be a token of an existing resource. A reference
    // that closes a cycle (Terraform would reject the configuration) stays literal text, and is reported.
    const built = new Map<string, TerraformResource>();
    const visiting = new Set<string>();
    const resolveRef = (t: string, n: string, a: string): string => {
      const target = built.get(`${t}.${n}`);
      if (target) return target.getStringAttribute(a);
      this.cyclicReferences.push(`${t}.${n}.${a}`);
      return '${' + `${t}.${n}.${a}` + '}';
    };
    const build = (key: string): void => {
      if (built.has(key) || visiting.has(key)) return;
      const e = entries.get(key);
      if (!e) throw new Error(`stack ${stack.name}: reference to ${key}, which the stack does not define`);
      visiting.add(key);
      for (const dep of refsIn(e.body, new Set())) if (dep !== key) build(dep);
      const cls = CLASSES[e.type];
      if (!cls) throw new Error(`naive baseline: no provider class for ${e.type} (add it to CLASSES)`);
      const wrapper = new NaiveResource(this, `${e.type}_${e.name}`, cls, toConfig(e.body, resolveRef));
      built.set(key, wrapper.resource);
      visiting.delete(key);
    };
    for (const key of entries.keys()) build(key);

    for (const [name, body] of Object.entries((json.output ?? {}) as Record<string, JsonObject>))
      new TerraformOutput(
        this,
        name,
        toConfig(body, (t, n, a) => built.get(`${t}.${n}`)!.getStringAttribute(a)) as never,
      );
  }
}

/**
 * Build and synthesize the baseline app into `outdir`; returns the number of resources built and the references
 * that close a cycle (should be none).
 */
export function synthNaive(stacks: readonly StackJson[], outdir: string): { resources: number; cyclic: string[] } {
  const app = new App({ outdir });
  const built = stacks.map((s) => new NaiveServiceStack(app, s));
  app.synth();
  return { resources: countResources(stacks), cyclic: built.flatMap((s) => s.cyclicReferences) };
}
