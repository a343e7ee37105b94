/**
 * `policy explain SERVICE`: every resolved value of one service and the layer of trace-health.yaml that set it, so
 * that "why does checkout page at 1%?" is answered without reading the resolution rules.
 */
import { UserError } from '../errors';
import { didYouMean, PolicyDocument } from './document';
import { BackendConfig, Policy, ServicePolicy } from './model';
import { backendForStack } from './stacks';
import { normalizeTier, TIER_PRIORITY, UNTIERED_PRIORITY } from './tiers';

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
}

export function explainService(doc: PolicyDocument, policy: Policy, name: string): ServiceExplanation {
  const service = policy.services.find((s) => s.service === name);
  if (!service) {
    const names = policy.services.map((s) => s.service);
    throw new UserError(`no service ${JSON.stringify(name)} in the catalog${didYouMean(name, names)}`);
  }
  const o = service.origin;
  const top = (key: keyof typeof doc.data) => (doc.data[key] === undefined ? 'builtin' : key);
  const rows: ExplainRow[] = [
    { key: 'team', value: service.team, setBy: 'catalog' },
    { key: 'tier', value: service.tier ?? '(none)', setBy: 'catalog' },
    {
      key: 'priority',
      value: `P${service.priority}`,
      setBy:
        service.tier !== undefined && TIER_PRIORITY[normalizeTier(service.tier)] !== undefined
          ? `tier ${service.tier}`
          : `untiered (P${UNTIERED_PRIORITY})`,
    },
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
  if (service.notify.length === 0) rows.push({ key: 'notify', value: '(none)', setBy: o.notify });
  service.notify.forEach((h, i) => rows.push({ key: `notify[${i}]`, value: h, setBy: o[`notify[${i}]`] }));
  const backend = backendForStack(policy.stacks.backend, service.stack);
  rows.push({
    key: 'state',
    value: describeBackend(backend),
    setBy: doc.data.stacks?.backend ? 'stacks.backend' : 'builtin',
  });
  return { file: policy.file, service, backend, rows };
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
  return [header, '', ...lines].join('\n') + '\n';
}
