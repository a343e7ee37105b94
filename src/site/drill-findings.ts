/**
 * Real findings for drill kits: the collector report's `findings[]` (its one findings model, src/collector/
 * findings.ts: one per problem, with the severity the monitor would have) for one service, each mapped to the fault
 * class — the simulator's scenario kind — whose kit replays it. Pure.
 */
import type { Finding, FindingKind } from '../collector/findings';
import type { CollectReport } from '../collector/report';

export interface DrillFinding {
  /** The simulator's scenario kind this finding replays. */
  readonly kind: string;
  /** The tag (tag kinds) or callee (edge kind) it is about. */
  readonly subject?: string;
  /** The collector's one line, with its numbers (and, for unexpected roots, the likely caller). */
  readonly summary: string;
  /** `critical`/`warning`: the monitor would be in that state; `info`: real, but no monitor fires (e.g. volume guard). */
  readonly severity: string;
  /** The collector's remediation for it. */
  readonly remediation: string;
  /** Example trace ids from the report. */
  readonly examples: readonly string[];
  /** Group values for the alert (`version`, `peer_service`). */
  readonly group?: Readonly<Record<string, string>>;
}

/** The findings model's kind → the simulator's scenario kind the drill replays (`not-in-catalog` has none). */
const KIND_OF: Readonly<Partial<Record<FindingKind, string>>> = {
  'orphan-rate': 'orphans-new-version',
  'unexpected-roots': 'callers-lose-context',
  'unpaired-calls': 'edge-loses-propagation',
  'two-tracers': 'second-tracer',
  'tag-coverage': 'tag-drops',
  'not-seen': 'traffic-stops',
};

/** The report's findings for one service in `env` (findings without env included), in the report's order. */
export function drillFindings(report: CollectReport, service: string, env: string | undefined): DrillFinding[] {
  const out: DrillFinding[] = [];
  for (const f of report.findings as readonly Finding[]) {
    if (f.service !== service || (env !== undefined && f.env !== null && f.env !== env)) continue;
    let kind = KIND_OF[f.kind];
    if (!kind) continue;
    // Every span in scope lacks the tag: it vanished rather than dropped.
    if (kind === 'tag-drops' && f.value === 1) kind = 'tag-vanishes';
    const group: Record<string, string> = {};
    if (f.version !== null) group.version = f.version;
    if (f.callee !== null) group.peer_service = f.callee;
    const caller = f.likelyCaller ? ` Likely caller: ${f.likelyCaller.service} (${f.likelyCaller.evidence}).` : '';
    out.push({
      kind,
      ...(f.tag !== null ? { subject: f.tag } : f.callee !== null ? { subject: f.callee } : {}),
      summary: `${f.summary}${/[.!?]$/.test(f.summary) ? '' : '.'}${caller}`,
      severity: f.severity,
      remediation: f.remediation,
      examples: f.examples.map((e) => e.traceId),
      ...(Object.keys(group).length ? { group } : {}),
    });
  }
  return out;
}
