/**
 * The human report: one section per team, worst team first, worst service first; each finding names the version
 * that regressed (when versions differ) and links example traces on the right Datadog site.
 */
import { hasTagQuery } from '../datadog/metrics';
import { serviceUrl, traceExplorerUrl, traceUrl } from '../datadog/site';
import type { Thresholds } from '../policy/model';
import { BUILTIN_DEFAULTS } from '../policy/schema';
import type { AnalyzeOptions } from './analyze';
import { RETAINED_BY_PREFIX } from './model';
import type { CollectReport, ServiceReport } from './report';

/** Thresholds for services the policy does not name (or with no policy file): the policy's built-in ones. */
const DEFAULT_ORPHAN_RATE: Thresholds = BUILTIN_DEFAULTS.orphanRate;
const DEFAULT_TAG_COVERAGE: Thresholds = BUILTIN_DEFAULTS.tagCoverage;

type Severity = 'critical' | 'warning';
interface Finding {
  readonly severity: Severity;
  readonly text: string;
  readonly examples: readonly string[];
  readonly explore?: string;
}

const pct = (r: number | null): string => (r === null ? 'n/a' : `${(Math.round(r * 1000) / 10).toFixed(1)}%`);

/** Compare version strings naturally (1.10 after 1.9). */
function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The worst and best versions by a per-version value, when there are at least two versions with data. */
function spread(
  svc: ServiceReport,
  value: (v: ServiceReport['byVersion'][string]) => number | null,
): { worst: [string, number]; best: [string, number] } | undefined {
  const vals = Object.keys(svc.byVersion)
    .sort(compareVersions)
    .map((v) => [v, value(svc.byVersion[v])] as [string, number | null])
    .filter((e): e is [string, number] => e[1] !== null);
  if (vals.length < 2) return undefined;
  let worst = vals[0];
  let best = vals[0];
  for (const e of vals) {
    if (e[1] > worst[1]) worst = e;
    if (e[1] < best[1]) best = e;
  }
  return { worst, best };
}

export function serviceFindings(name: string, svc: ServiceReport, options: AnalyzeOptions): Finding[] {
  const so = options.services?.[name];
  const orphanT = so?.orphanRate ?? DEFAULT_ORPHAN_RATE;
  const covT = so?.tagCoverage ?? DEFAULT_TAG_COVERAGE;
  const site = options.site;
  const out: Finding[] = [];

  if (svc.orphanRate !== null && svc.orphanRate >= orphanT.warning) {
    let text = `orphan spans: ${pct(svc.orphanRate)} (${svc.orphanSpans} of ${svc.spans} spans)`;
    const s = spread(svc, (v) => (v.spans ? v.orphanSpans / v.spans : null));
    if (s && s.worst[1] - s.best[1] >= orphanT.warning)
      text += ` — regressed in version ${s.worst[0]}: ${pct(s.worst[1])} (version ${s.best[0]}: ${pct(s.best[1])})`;
    out.push({
      severity: svc.orphanRate >= orphanT.critical ? 'critical' : 'warning',
      text,
      examples: svc.examples.orphanSpans,
    });
  }
  for (const tag of Object.keys(svc.tagCoverage)) {
    const c = svc.tagCoverage[tag];
    if (c.ratio === null || c.ratio >= covT.warning) continue;
    let text = `\`${tag}\` coverage: ${pct(c.ratio)} (${c.covered} of ${c.total} spans in scope)`;
    const s = spread(svc, (v) => {
      const vc = v.tagCoverage[tag];
      return vc && vc.ratio !== null ? -vc.ratio : null;
    });
    if (s && s.best[1] - s.worst[1] <= -(1 - covT.warning))
      text += ` — dropped in version ${s.worst[0]}: ${pct(-s.worst[1])} (version ${s.best[0]}: ${pct(-s.best[1])})`;
    out.push({
      severity: c.ratio < covT.critical ? 'critical' : 'warning',
      text,
      examples: svc.examples.missingTags[tag] ?? [],
      explore: traceExplorerUrl(site, `service:${name} -${hasTagQuery(tag)}`),
    });
  }
  if (svc.unexpectedRoots > 0)
    out.push({
      severity: 'warning',
      text: `unexpected roots: ${svc.unexpectedRoots} traces start here although other services call it — context propagation is lost upstream`,
      examples: svc.examples.unexpectedRoots,
    });
  for (const callee of Object.keys(svc.unpairedCalls))
    out.push({
      severity: 'warning',
      text: `unpaired calls to ${callee}: ${svc.unpairedCalls[callee]} client spans with no ${callee} span below them — the break is on the edge ${name} → ${callee}`,
      examples: svc.examples.unpairedCalls[callee] ?? [],
    });
  if (svc.multipleTracers)
    out.push({
      severity: 'warning',
      text: `two tracing libraries: spans come from ${svc.tracers.join(' and ')}`,
      examples: [...new Set(Object.values(svc.examples.tracers).flat())],
    });
  if (svc.doubleInstrumentedSpans > 0)
    out.push({
      severity: 'warning',
      text: `double instrumentation: ${svc.doubleInstrumentedSpans} server spans directly under a server span of the same resource`,
      examples: svc.examples.doubleInstrumentedSpans,
    });
  return out;
}

interface Ranked {
  name: string;
  svc: ServiceReport;
  findings: Finding[];
  key: [number, number, number];
}

function rank(a: Ranked['key'], b: Ranked['key']): number {
  return b[0] - a[0] || b[1] - a[1] || b[2] - a[2];
}

const counts = (r: Readonly<Record<string, number>>): string =>
  Object.entries(r)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

/** What the figures are about: the envs, and the spans counted apart (with why). */
function inputLines(report: CollectReport): string[] {
  const t = report.totals;
  const e = report.env;
  const seen = Object.keys(e.seen).join(', ') || 'none';
  const skipped = Object.values(e.skipped).reduce((x, y) => x + y, 0);
  const lines = [
    `Env: ${e.watched.length ? `${e.watched.join(', ')} (the policy's envs)` : `every env (seen: ${seen})`}${
      skipped ? `; ${skipped} spans of other envs skipped (${counts(e.skipped)})` : ''
    }  `,
    `Spans: ${t.spans} in ${t.traces} traces; ${t.excludedSpans} excluded (kept without their whole trace${
      t.excludedSpans ? `: ${counts(t.excludedByReason)}` : ''
    }); ${t.malformedSpans} malformed.`,
  ];
  const apart = Object.entries(t.excludedByReason)
    .filter(([k]) => k.startsWith(RETAINED_BY_PREFIX))
    .reduce((n, [, v]) => n + v, 0);
  if (apart > 0)
    lines.push(
      '',
      `> **${pct(apart / t.spans)} of the spans (${apart} of ${t.spans}) are not from whole traces** (retention other than ` +
        `flat_sampled): they are never called orphans. Export spans with \`retained_by:flat_sampled\`, or pass ` +
        `\`--whole-traces-retained-by\` when your retention keeps whole traces.`,
    );
  for (const p of report.incompletePages)
    lines.push(
      '',
      `> **Incomplete input: ${p.source}** — ${p.reason}. Datadog may have left spans out of this page; its traces are excluded.`,
    );
  return lines;
}

export function renderMarkdown(report: CollectReport, options: AnalyzeOptions): string {
  const site = options.site;
  const teams = new Map<string, Ranked[]>();
  for (const name of Object.keys(report.services)) {
    const svc = report.services[name];
    const findings = serviceFindings(name, svc, options);
    const crit = findings.filter((f) => f.severity === 'critical').length;
    const entry: Ranked = { name, svc, findings, key: [crit, findings.length - crit, svc.orphanRate ?? 0] };
    const team = options.services?.[name]?.team ?? 'unowned';
    const list = teams.get(team) ?? [];
    list.push(entry);
    teams.set(team, list);
  }
  for (const list of teams.values()) list.sort((a, b) => rank(a.key, b.key) || (a.name < b.name ? -1 : 1));
  const teamOrder = [...teams.keys()].sort(
    (a, b) => rank(teams.get(a)![0].key, teams.get(b)![0].key) || (a < b ? -1 : 1),
  );

  const lines: string[] = ['# Trace health report', ''];
  lines.push(`Window: ${report.window.from ?? 'n/a'} → ${report.window.to ?? 'n/a'}  `);
  lines.push(...inputLines(report));
  if (teamOrder.length === 0) lines.push('', 'No spans.');
  for (const team of teamOrder) {
    const list = teams.get(team)!;
    const broken = list.filter((e) => e.findings.length > 0);
    lines.push('', `## Team ${team}`, '');
    if (broken.length === 0) lines.push('All services healthy.');
    for (const e of broken) {
      const crit = e.key[0] > 0;
      lines.push(
        `### ${crit ? '🔴' : '🟠'} ${e.name} — ${crit ? 'critical' : 'warning'}`,
        '',
        `[APM service page](${serviceUrl(site, e.name)}) · ${e.svc.spans} spans checked · orphan rate ${pct(e.svc.orphanRate)} · tracers: ${e.svc.tracers.join(', ') || 'none'}`,
        '',
      );
      for (const f of e.findings) {
        const links = f.examples.map((id) => `[${id}](${traceUrl(site, id)})`).join(', ');
        const explore = f.explore ? ` · [find more](${f.explore})` : '';
        lines.push(`- **${f.severity}** ${f.text}${links ? ` — example traces: ${links}` : ''}${explore}`);
      }
      lines.push('');
    }
    const ok = list.filter((e) => e.findings.length === 0).map((e) => e.name);
    if (ok.length && broken.length) lines.push(`Healthy: ${ok.join(', ')}`);
    else if (ok.length) lines.push('', `Services: ${ok.join(', ')}`);
  }
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
