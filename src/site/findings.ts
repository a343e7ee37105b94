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

/**
 * The fields drills read of a report's `findings[]` (issue 12: the collector's findings model, one per problem with
 * the severity the monitor would have). Structural, so reports with and without `findings[]` both work; once that
 * model is on main, this is its `Finding` type (src/collector/findings.ts).
 */
interface ReportFinding {
  readonly kind: string;
  readonly severity: string;
  readonly service: string;
  readonly env: string | null;
  readonly version: string | null;
  readonly tag: string | null;
  readonly callee: string | null;
  readonly summary: string;
  readonly value: number | null;
  readonly examples: readonly { readonly traceId: string }[];
}

/** The report's findings model kind → the simulator's scenario kind the drill replays. */
const KIND_OF: Readonly<Record<string, string>> = {
  'orphan-rate': 'orphans-new-version',
  'unexpected-roots': 'callers-lose-context',
  'unpaired-calls': 'edge-loses-propagation',
  'two-tracers': 'second-tracer',
  'tag-coverage': 'tag-drops',
  'not-seen': 'traffic-stops',
};

function fromFindingsModel(list: readonly ReportFinding[], service: string, env: string | undefined): DrillFinding[] {
  const out: DrillFinding[] = [];
  for (const f of list) {
    if (f.service !== service || f.severity === 'info' || (env !== undefined && f.env !== null && f.env !== env))
      continue;
    let kind = KIND_OF[f.kind];
    if (!kind) continue;
    // Every span in scope lacks the tag: the tag vanished rather than dropped.
    if (kind === 'tag-drops' && f.value === 1) kind = 'tag-vanishes';
    const group: Record<string, string> = {};
    if (f.version !== null) group.version = f.version;
    if (f.callee !== null) group.peer_service = f.callee;
    out.push({
      kind,
      ...(f.tag !== null ? { subject: f.tag } : f.callee !== null ? { subject: f.callee } : {}),
      summary: f.summary,
      examples: f.examples.map((e) => e.traceId),
      ...(Object.keys(group).length ? { group } : {}),
    });
  }
  return out;
}

/**
 * Findings for one service: the report's `findings[]` when it has them (the collector's own judgement, with the
 * monitors' thresholds), else derived from its per-service counts. None when the report has no data for it.
 */
export function drillFindings(report: CollectReport, service: string, policy: ServicePolicy): DrillFinding[] {
  const model = (report as { findings?: unknown }).findings;
  if (Array.isArray(model)) return fromFindingsModel(model as ReportFinding[], service, policy.envs[0]);
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
