/**
 * The human report, built from the report's findings (src/collector/findings.ts) — the same severities the monitors
 * would have and `--fail-on` reads: one section per team, the team with the worst service first, services worst
 * first; each finding names its env and version, links example traces on the right Datadog site, the Trace
 * Explorer, the service's dashboard and its runbook, and says what probably broke and what to do.
 */
import { serviceUrl } from '../datadog/site';
import type { AnalyzeOptions } from './analyze';
import { Finding, FindingSeverity, pct, severityRank } from './findings';
import { CollectReport, retainedApart } from './report';

const ICON: Readonly<Record<FindingSeverity, string>> = { critical: '🔴', warning: '🟠', info: '⚪' };

interface ServiceEntry {
  readonly name: string;
  readonly findings: Finding[];
  /** [critical, warning, info] counts. */
  readonly key: [number, number, number];
}

function rank(a: ServiceEntry['key'], b: ServiceEntry['key']): number {
  return b[0] - a[0] || b[1] - a[1] || b[2] - a[2];
}

function severityCounts(findings: readonly Finding[]): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (const f of findings) c[3 - severityRank(f.severity)]++;
  return c;
}

function where(f: Finding): string {
  return f.env === null ? 'no env' : `env ${f.env}`;
}

function findingLines(f: Finding): string[] {
  const examples = f.examples.map((e) => `[${e.traceId}](${e.url})`).join(', ');
  const links = [
    `[Trace Explorer](${f.links.traceExplorer})`,
    `[dashboard](${f.links.dashboard})`,
    ...(f.links.runbook ? [`[runbook](${f.links.runbook})`] : []),
  ].join(' · ');
  const rule =
    f.threshold === null
      ? ''
      : ` Monitor rule: ${f.measure} ${f.threshold.comparator} ${f.threshold.critical}` +
        (f.threshold.warning === null ? '' : ` (warning ${f.threshold.warning})`) +
        ` — ${f.threshold.criticalFrom.key} from ${f.threshold.criticalFrom.layer}` +
        (f.guard ? `; guard ≥ ${f.guard.minSpans} ${f.guard.counts} (${f.guard.from.layer}): ${f.guard.count}` : '') +
        '.';
  return [
    `- **${f.severity}** ${f.summary} (${where(f)})${examples ? ` — example traces: ${examples}` : ''}`,
    `  - Likely cause: ${f.likelyCause}`,
    `  - Fix: ${f.remediation}${rule}`,
    `  - ${links}`,
  ];
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
  const apart = retainedApart(t.excludedByReason).reduce((n, [, v]) => n + v, 0);
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
  const byService = new Map<string, Finding[]>();
  const teamOf = new Map<string, string>();
  for (const name of Object.keys(report.services)) {
    byService.set(name, []);
    teamOf.set(name, options.services?.[name]?.team ?? 'unowned');
  }
  for (const f of report.findings) {
    const list = byService.get(f.service) ?? [];
    list.push(f);
    byService.set(f.service, list);
    if (!teamOf.has(f.service)) teamOf.set(f.service, f.team);
  }
  const teams = new Map<string, ServiceEntry[]>();
  for (const [name, findings] of byService) {
    const team = teamOf.get(name)!;
    const list = teams.get(team) ?? [];
    list.push({ name, findings, key: severityCounts(findings) });
    teams.set(team, list);
  }
  for (const list of teams.values()) list.sort((a, b) => rank(a.key, b.key) || (a.name < b.name ? -1 : 1));
  const teamOrder = [...teams.keys()].sort(
    (a, b) => rank(teams.get(a)![0].key, teams.get(b)![0].key) || (a < b ? -1 : 1),
  );

  const lines: string[] = ['# Trace health report', ''];
  lines.push(`Window: ${report.window.from ?? 'n/a'} → ${report.window.to ?? 'n/a'}  `);
  lines.push(...inputLines(report));
  const all = severityCounts(report.findings);
  lines.push(
    '',
    `Findings: ${all[0]} critical, ${all[1]} warning, ${all[2]} info — severities are what the generated monitors would say (same thresholds and volume guard).`,
  );
  if (teamOrder.length === 0) lines.push('', 'No spans.');
  for (const team of teamOrder) {
    const list = teams.get(team)!;
    const broken = list.filter((e) => e.findings.length > 0);
    lines.push('', `## Team ${team}`, '');
    if (broken.length === 0) lines.push('All services healthy.');
    for (const e of broken) {
      const worst = e.findings[0].severity;
      const svc = report.services[e.name];
      const facts = svc
        ? ` · ${svc.spans} spans checked · orphan rate ${pct(svc.orphanRate)} · tracers: ${svc.tracers.join(', ') || 'none'}`
        : '';
      lines.push(
        `### ${ICON[worst]} ${e.name} — ${worst}`,
        '',
        `[APM service page](${serviceUrl(site, e.name)})${facts}`,
        '',
      );
      for (const f of e.findings) lines.push(...findingLines(f));
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
