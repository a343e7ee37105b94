/**
 * `policy explain SERVICE`: every resolved value of one service and the layer of trace-health.yaml that set it, so
 * that "why does checkout page at 1%?" is answered without reading the resolution rules — including who is told
 * about each transition (warning, alert, no data, recovery), where each handle came from, and every catalog contact
 * that was dropped, with the reason.
 */
import { UserError } from '../errors';
import { didYouMean, PolicyDocument } from './document';
import { BackendConfig, PolicyLayer, Policy, ServicePolicy } from './model';
import { handlesOn, missingRoutes, Routing, TRANSITIONS } from './routing';
import { backendForStack } from './stacks';

export interface ExplainRow {
  /** Key path as in trace-health.yaml (`orphanRate.critical`, `requiredTags[0]`). */
  readonly key: string;
  /** The value, rendered for people (`0.01`, `usr.id on @_top_level:1 (slo)`). */
  readonly value: string;
  /** Who set it: `builtin`, `defaults`, `tiers.1`, `teams.payments`, `services.billing`, `catalog`, … */
  readonly setBy: string;
}

export interface ServiceExplanation {
  readonly file: string;
  readonly service: ServicePolicy;
  readonly backend: BackendConfig;
  readonly rows: readonly ExplainRow[];
  /** Who is told about each transition, where each handle came from, and the catalog contacts dropped. */
  readonly routing: Routing;
}

/** A layer name for people: `builtin.tiers.1` → `builtin (tier 1)`. */
function layerLabel(layer: PolicyLayer, s: ServicePolicy): string {
  if (layer.startsWith('builtin.tiers.')) return `builtin (tier ${layer.slice('builtin.tiers.'.length)})`;
  if (layer === 'unranked-tier') return `no tiers rule ranks tier ${s.tier ?? ''}: the most urgent tier's priority`;
  return layer;
}

export function explainService(doc: PolicyDocument, policy: Policy, name: string): ServiceExplanation {
  const service = policy.services.find((s) => s.service === name);
  if (!service) {
    const names = policy.services.map((s) => s.service);
    throw new UserError(`no service ${JSON.stringify(name)} in the catalog${didYouMean(name, names)}`);
  }
  const o = service.origin;
  const top = (key: keyof typeof doc.data) => (doc.data[key] === undefined ? 'builtin' : key);
  const m = service.tierMatch;
  const rows: ExplainRow[] = [
    { key: 'team', value: service.team, setBy: 'catalog' },
    {
      key: 'tier',
      value: service.tier ?? '(none)',
      setBy:
        m === undefined
          ? 'catalog'
          : m.key !== undefined
            ? `catalog, rule tiers.${m.key}`
            : m.builtinPriority !== undefined
              ? 'catalog, built-in rule'
              : 'catalog, no tiers rule covers it',
    },
    { key: 'priority', value: `P${service.priority}`, setBy: layerLabel(o.priority, service) },
    { key: 'stack', value: service.stack, setBy: `stacks.by: ${policy.stacks.by}` },
    { key: 'enabled', value: String(service.enabled), setBy: o.enabled },
    { key: 'envs', value: service.envs.join(', '), setBy: top('envs') },
    { key: 'window', value: service.window, setBy: o.window },
    { key: 'minSpans', value: String(service.minSpans), setBy: o.minSpans },
    { key: 'orphanRate.warning', value: String(service.orphanRate.warning), setBy: o['orphanRate.warning'] },
    { key: 'orphanRate.critical', value: String(service.orphanRate.critical), setBy: o['orphanRate.critical'] },
    { key: 'tagCoverage.warning', value: String(service.tagCoverage.warning), setBy: o['tagCoverage.warning'] },
    { key: 'tagCoverage.critical', value: String(service.tagCoverage.critical), setBy: o['tagCoverage.critical'] },
    { key: 'slo.timeframe', value: service.slo.timeframe, setBy: o['slo.timeframe'] },
    { key: 'slo.target', value: String(service.slo.target), setBy: o['slo.target'] },
    { key: 'slo.warning', value: String(service.slo.warning), setBy: o['slo.warning'] },
  ];
  service.requiredTags.forEach((t, i) =>
    rows.push({
      key: `requiredTags[${i}]`,
      value: `${t.tag} on ${t.scope}${t.slo ? ' (slo)' : ''}`,
      setBy: o[`requiredTags[${i}]`],
    }),
  );
  const missing = missingRoutes(policy.requireRoute, service);
  if (missing !== undefined)
    rows.push({
      key: 'requireRoute',
      value: missing.length
        ? `NOT MET: nobody on ${missing.join(', ')}`
        : `met (${policy.requireRoute?.on.join(', ')})`,
      setBy: 'requireRoute',
    });
  const backend = backendForStack(policy.stacks.backend, service.stack);
  rows.push({
    key: 'state',
    value: describeBackend(backend),
    setBy: doc.data.stacks?.backend ? 'stacks.backend' : 'builtin',
  });
  return { file: policy.file, service, backend, rows, routing: service.routing };
}

function describeBackend(b: BackendConfig): string {
  switch (b.type) {
    case 'local':
      return `local ${b.path}`;
    case 's3':
      return `s3://${b.bucket}/${b.key}`;
    case 'gcs':
      return `gs://${b.bucket}/${b.prefix}`;
    case 'remote':
      return `remote ${b.organization}/${b.workspace}`;
  }
}

/** Aligned plain-text table. */
export function formatExplain(e: ServiceExplanation): string {
  const s = e.service;
  const header = `${s.service}: ${s.enabled ? 'enabled' : 'disabled'}, resolved from ${e.file} (defaults < tier < team < service)`;
  const table = [{ key: 'KEY', value: 'VALUE', setBy: 'SET BY' }, ...e.rows];
  const wk = Math.max(...table.map((r) => r.key.length));
  const wv = Math.max(...table.map((r) => r.value.length));
  const lines = table.map((r) => `${r.key.padEnd(wk)}  ${r.value.padEnd(wv)}  ${r.setBy}`.trimEnd());
  const r = e.routing;
  const wt = Math.max(...TRANSITIONS.map((t) => t.length));
  const routes = [
    '',
    'Who is told (noData: by monitors that notify on No Data; recovery: from the states a handle was told of):',
    ...TRANSITIONS.map((t) => `  ${t.padEnd(wt)}  ${handlesOn(r, t).join(', ') || '(nobody)'}`),
  ];
  const wh = Math.max(0, ...r.routes.map((x) => x.handle.length));
  const sources = r.routes.length
    ? ['', 'Where each handle comes from:', ...r.routes.map((x) => `  ${x.handle.padEnd(wh)}  ${x.sources.join(', ')}`)]
    : [];
  const unknown = r.unconfirmed?.length
    ? [
        '',
        "Not listed by Datadog's integration (as `catalog pull --integrations` recorded it), so reaching nobody:",
        ...r.unconfirmed.map((h) => `  ${h}`),
      ]
    : [];
  const dropped = r.dropped.length
    ? ['', 'Dropped catalog contacts (no handle made from them):', ...r.dropped.map((d) => `  ${d.what}: ${d.reason}`)]
    : [];
  return [header, '', ...lines, ...routes, ...sources, ...unknown, ...dropped].join('\n') + '\n';
}
