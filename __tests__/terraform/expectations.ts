/**
 * What a stack's plan must create, read from the two things synth writes for it: the review manifest
 * (`review/<stack>.yaml`: per service, its monitors, SLOs and dashboard, by name) and `cdk.tf.json` (every resource
 * address). Compared with what `terraform show -json` says the plan creates.
 */
import { parse } from 'yaml';
import type { PlannedResource } from './harness';

/** Names per service (`''` for the core stack's org-wide resources), each list sorted. */
export interface ServiceResources {
  monitors: string[];
  slos: string[];
  dashboards: string[];
  spanMetrics: string[];
}

export type ByService = Record<string, ServiceResources>;

const empty = (): ServiceResources => ({ monitors: [], slos: [], dashboards: [], spanMetrics: [] });

function sortAll(by: ByService): ByService {
  const out: ByService = {};
  for (const k of Object.keys(by).sort()) {
    const r = by[k];
    out[k] = {
      monitors: [...r.monitors].sort(),
      slos: [...r.slos].sort(),
      dashboards: [...r.dashboards].sort(),
      spanMetrics: [...r.spanMetrics].sort(),
    };
  }
  return out;
}

interface ManifestDoc {
  services?: Record<
    string,
    {
      monitors?: Record<string, { name?: string }> | null;
      slos?: Record<string, { name?: string }> | null;
      dashboard?: { title?: string } | null;
    }
  >;
  span_metrics?: Record<string, unknown> | null;
  dashboards?: Record<string, { title?: string }> | null;
}

/** What the review manifest lists, per service. */
export function manifestExpectations(manifestYaml: string): ByService {
  const doc = (parse(manifestYaml) ?? {}) as ManifestDoc;
  const by: ByService = {};
  for (const [service, s] of Object.entries(doc.services ?? {})) {
    const r = (by[service] = empty());
    for (const m of Object.values(s.monitors ?? {})) r.monitors.push(String(m.name));
    for (const m of Object.values(s.slos ?? {})) r.slos.push(String(m.name));
    if (s.dashboard?.title !== undefined) r.dashboards.push(s.dashboard.title);
  }
  if (doc.span_metrics || doc.dashboards) {
    const r = (by[''] = empty());
    r.spanMetrics.push(...Object.keys(doc.span_metrics ?? {}));
    for (const d of Object.values(doc.dashboards ?? {})) if (d.title !== undefined) r.dashboards.push(d.title);
  }
  return sortAll(by);
}

type TfJson = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/** Every resource address a synthesized stack declares, sorted. */
export function configAddresses(config: TfJson): string[] {
  const out: string[] = [];
  for (const [type, byName] of Object.entries(config.resource ?? {}))
    for (const name of Object.keys(byName)) out.push(`${type}.${name}`);
  return out.sort();
}

function serviceOf(tags: unknown): string | undefined {
  if (!Array.isArray(tags)) return undefined;
  const tag = tags.find((t) => typeof t === 'string' && t.startsWith('service:')) as string | undefined;
  return tag?.slice('service:'.length);
}

/**
 * What the plan creates, per service. Monitors and SLOs are attributed by their `service:` tag. A dashboard's
 * JSON is unknown at plan time when it embeds other resources' ids (SLO widgets), so its title is read from the
 * configuration, and its service is the one whose manifest names that title (core dashboards: `''`).
 */
export function planExpectations(
  resources: readonly PlannedResource[],
  config: TfJson,
  dashboardOwner: (title: string) => string,
): ByService {
  const by: ByService = {};
  const at = (service: string) => (by[service] ??= empty());
  for (const r of resources) {
    if (!r.actions.includes('create')) continue;
    if (r.type === 'datadog_monitor') at(serviceOf(r.after.tags) ?? '?').monitors.push(String(r.after.name));
    else if (r.type === 'datadog_service_level_objective')
      at(serviceOf(r.after.tags) ?? '?').slos.push(String(r.after.name));
    else if (r.type === 'datadog_spans_metric') at('').spanMetrics.push(String(r.after.name));
    else if (r.type === 'datadog_dashboard_json') {
      const source = config.resource?.datadog_dashboard_json?.[r.name]?.dashboard;
      const title = String((JSON.parse(String(source)) as { title?: unknown }).title);
      at(dashboardOwner(title)).dashboards.push(title);
    }
  }
  return sortAll(by);
}

/** Who owns each dashboard title in a manifest's expectations. */
export function dashboardOwners(expected: ByService): (title: string) => string {
  const owner = new Map<string, string>();
  for (const [service, r] of Object.entries(expected)) for (const t of r.dashboards) owner.set(t, service);
  return (title) => owner.get(title) ?? '?';
}
