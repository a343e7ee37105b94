/**
 * Real findings for drill kits, read from the collector's JSON report (`collect --format json`, the contract in
 * docs/collector-report.md, shape in src/collector/report.ts): each problem the report shows for a service becomes
 * the scenario of the fault class (simulator kind) it belongs to. Pure.
 */
import type { CollectReport, ServiceReport } from '../collector/report';
import type { ServicePolicy } from '../policy/model';

export interface DrillFinding {
  /** The simulator's scenario kind this finding replays. */
  readonly kind: string;
  /** The tag (tag kinds) or callee (edge kind) it is about. */
  readonly subject?: string;
  /** One or two sentences with the report's numbers. */
  readonly summary: string;
  /** Example trace ids from the report. */
  readonly examples: readonly string[];
  /** Group values for the alert (`version`, `peer_service`). */
  readonly group?: Readonly<Record<string, string>>;
}

const pct = (r: number) => `${Number((r * 100).toPrecision(3))}%`;

/** A minimal check that a parsed JSON value is a collector report (the fields findings read). */
export function isCollectReport(value: unknown): value is CollectReport {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<CollectReport>;
  return typeof r.services === 'object' && r.services !== null && typeof r.window === 'object' && r.window !== null;
}

/** Findings for one service, in kind order of the drill; none when the report has no data for it. */
export function drillFindings(report: CollectReport, service: string, policy: ServicePolicy): DrillFinding[] {
  const s: ServiceReport | undefined = report.services[service];
  if (!s) return [];
  const window = report.window.from && report.window.to ? ` (window ${report.window.from} – ${report.window.to})` : '';
  const out: DrillFinding[] = [];
  for (const rule of policy.requiredTags) {
    const c = s.tagCoverage[rule.tag];
    if (!c || c.ratio === null || c.ratio >= policy.tagCoverage.warning) continue;
    out.push({
      kind: c.covered === 0 ? 'tag-vanishes' : 'tag-drops',
      subject: rule.tag,
      summary: `\`${rule.tag}\` is on ${c.covered} of ${c.total} spans in scope (${pct(c.ratio)}; warning below ${pct(policy.tagCoverage.warning)})${window}.`,
      examples: s.examples.missingTags[rule.tag] ?? [],
    });
  }
  if (s.orphanSpans > 0) {
    const versions = Object.entries(s.byVersion)
      .filter(([, v]) => v.orphanSpans > 0)
      .sort((a, b) => b[1].orphanSpans - a[1].orphanSpans);
    out.push({
      kind: 'orphans-new-version',
      summary:
        `${s.orphanSpans} of ${s.spans} checked spans are orphans (${pct(s.orphanRate ?? 0)})${window}` +
        (versions.length
          ? `, most in version ${versions[0][0]} (${versions[0][1].orphanSpans} of ${versions[0][1].spans}).`
          : '.'),
      examples: s.examples.orphanSpans,
      ...(versions.length ? { group: { version: versions[0][0] } } : {}),
    });
  }
  if (s.unexpectedRoots > 0)
    out.push({
      kind: 'callers-lose-context',
      summary: `${s.unexpectedRoots} of ${s.rootSpans} traces start in ${service} although only traced services call it${window}.`,
      examples: s.examples.unexpectedRoots,
    });
  for (const [callee, n] of Object.entries(s.unpairedCalls))
    out.push({
      kind: 'edge-loses-propagation',
      subject: callee,
      summary: `${n} calls to ${callee} have no ${callee} span below them${window}.`,
      examples: s.examples.unpairedCalls[callee] ?? [],
      group: { peer_service: callee },
    });
  if (s.multipleTracers || s.doubleInstrumentedSpans > 0)
    out.push({
      kind: 'second-tracer',
      summary:
        (s.multipleTracers
          ? `spans come from ${s.tracers.length} tracing-library families (${s.tracers.join(', ')})`
          : 'one tracer family') +
        (s.doubleInstrumentedSpans > 0 ? `, ${s.doubleInstrumentedSpans} double-instrumented spans` : '') +
        `${window}.`,
      examples: [...Object.values(s.examples.tracers).flat(), ...s.examples.doubleInstrumentedSpans].slice(0, 3),
    });
  return out;
}
