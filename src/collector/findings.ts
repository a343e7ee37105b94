/**
 * Findings: what the collector tells a person, one model for the JSON report (`findings[]`), the Markdown report,
 * `collect --fail-on` and any later consumer (the static site). Each finding is one figure the generated monitors
 * judge too — the same group (per version for orphans and unexpected roots, per callee for unpaired calls, per
 * service and env for tag coverage and two tracers), the same value, and its severity from the same rule
 * (`judge`, src/policy/checks.ts) with the same resolved thresholds and volume guard. A figure over a threshold but
 * under the guard is kept as `info`: the monitor stays OK, the owner still sees it.
 *
 * Catalog coverage: services that send spans but are not in the catalog (no monitors at all) and catalog services
 * the spans never showed are findings too, when the collector knows the catalog.
 *
 * The contract is documented in docs/collector-report.md and published as JSON Schema (schema/).
 */
import { dashboardSearchUrl } from '../constructs/dashboard/links';
import { serviceDashboardTitle } from '../constructs/dashboard/service-dashboard';
import { missingTagSpanQuery } from '../datadog/metrics';
import { serviceUrl, traceExplorerUrl, traceUrl } from '../datadog/site';
import {
  CheckPolicy,
  CheckRule,
  DOUBLE_INSTRUMENTED_RULE,
  judge,
  Judgement,
  orphanRateRule,
  tagCoverageRule,
  ThresholdSource,
  TRACER_FAMILIES_RULE,
  unexpectedRootsRule,
  unlistedServiceChecks,
  unpairedCallsRule,
} from '../policy/checks';
import type { Analysis, Examples, GroupCounts, ServiceAccumulator } from './analyze';
import { compareIds } from './readers/ids';

export const FINDING_KINDS = [
  'orphan-rate',
  'unexpected-roots',
  'unpaired-calls',
  'two-tracers',
  'tag-coverage',
  'not-in-catalog',
  'not-seen',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** `critical`/`warning`: the state the monitor would be in (Alert/Warn); `info`: worth knowing, no monitor fires. */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type FindingSeverity = (typeof SEVERITIES)[number];

export interface FindingThreshold {
  readonly comparator: '>' | '>=';
  readonly critical: number;
  readonly warning: number | null;
  /** The policy key and the layer of trace-health.yaml that set each value (`tiers.1`, `defaults`, `builtin`…). */
  readonly criticalFrom: ThresholdSource;
  readonly warningFrom: ThresholdSource | null;
}

export interface FindingGuard {
  readonly minSpans: number;
  /** What the guard counts (`checked spans`, `spans in scope`, `checked calls`), in the same group. */
  readonly counts: string;
  readonly count: number;
  readonly met: boolean;
  readonly from: ThresholdSource;
}

export interface FindingLinks {
  readonly service: string;
  /** The service's trace-health dashboard (the dashboard list searched by its title). */
  readonly dashboard: string;
  /** Trace Explorer filtered on the spans of this finding. */
  readonly traceExplorer: string;
  /** The catalog's runbook, or null. */
  readonly runbook: string | null;
}

export interface Finding {
  readonly kind: FindingKind;
  readonly severity: FindingSeverity;
  readonly service: string;
  readonly team: string;
  /** null: spans without env (no monitor sees them). */
  readonly env: string | null;
  /** The version group (orphan-rate, unexpected-roots); null for checks judged per service and env. */
  readonly version: string | null;
  /** tag-coverage: the required tag. */
  readonly tag: string | null;
  /** unpaired-calls: the callee. */
  readonly callee: string | null;
  /** What `value` is: `orphan spans / checked spans`, `spans lacking usr.id / spans in scope`, `tracer families`. */
  readonly measure: string;
  /** The value the monitor compares with its thresholds (numerator / denominator for ratios); null without one. */
  readonly value: number | null;
  readonly numerator: number | null;
  readonly denominator: number | null;
  readonly threshold: FindingThreshold | null;
  readonly guard: FindingGuard | null;
  /** One line for people: the figure and the version that regressed. */
  readonly summary: string;
  readonly likelyCause: string;
  readonly remediation: string;
  /** unexpected-roots: the service most likely to have lost the context, and why we think so. */
  readonly likelyCaller: { readonly service: string; readonly evidence: string } | null;
  readonly examples: readonly { readonly traceId: string; readonly url: string }[];
  readonly links: FindingLinks;
}

const SEVERITY_RANK: Readonly<Record<FindingSeverity, number>> = { critical: 3, warning: 2, info: 1 };

export function severityRank(s: FindingSeverity): number {
  return SEVERITY_RANK[s];
}

/** Does a finding of `severity` reach `--fail-on level`? */
export function reaches(severity: FindingSeverity, level: 'warning' | 'critical'): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[level];
}

export const pct = (r: number | null): string => (r === null ? 'n/a' : `${(Math.round(r * 1000) / 10).toFixed(1)}%`);

const PROPAGATION_FIX =
  'Find the deploy or dependency change in the example traces (the version tag), check that the HTTP/RPC/messaging client and server carry the trace headers (Datadog and W3C tracecontext on both sides), and that only one tracing library is active.';

/** The same k smallest ids over several Examples. */
function merged(list: readonly (Examples | undefined)[], k: number): string[] {
  const ids = new Set<string>();
  for (const e of list) if (e) for (const id of e.ids) ids.add(id);
  return [...ids].sort(compareIds).slice(0, k);
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

interface Context {
  readonly a: Analysis;
  readonly site: string;
  readonly k: number;
  readonly name: string;
  readonly acc: ServiceAccumulator;
  readonly team: string;
  readonly checks: CheckPolicy;
  readonly links: Omit<FindingLinks, 'traceExplorer'>;
}

function threshold(rule: CheckRule): FindingThreshold {
  return {
    comparator: rule.comparator,
    critical: rule.critical,
    warning: rule.warning ?? null,
    criticalFrom: rule.criticalFrom,
    warningFrom: rule.warningFrom ?? null,
  };
}

function guardOf(rule: CheckRule, count: number): FindingGuard | null {
  if (!rule.guard) return null;
  return {
    minSpans: rule.guard.minSpans,
    counts: rule.guard.counts,
    count,
    met: count >= rule.guard.minSpans,
    from: rule.guard.from,
  };
}

function severityOf(j: Judgement): FindingSeverity | undefined {
  return j.severity ?? (j.belowGuard ? 'info' : undefined);
}

function guardNote(g: FindingGuard | null, j: Judgement): string {
  if (!g || !j.belowGuard) return '';
  return ` — below the volume guard (${g.count} of ${g.minSpans} ${g.counts} in the window): the monitor stays OK`;
}

interface RatioInput {
  readonly kind: FindingKind;
  readonly rule: CheckRule;
  readonly env: string | undefined;
  readonly version?: string;
  readonly tag?: string;
  readonly callee?: string;
  readonly numerator: number;
  readonly denominator: number;
  readonly guardCount: number;
  readonly summary: (value: number) => string;
  readonly likelyCause: string;
  readonly remediation: string;
  readonly examples: readonly string[];
  readonly explore: string;
  readonly likelyCaller?: Finding['likelyCaller'];
}

function ratioFinding(c: Context, r: RatioInput): Finding | undefined {
  if (r.denominator === 0) return undefined;
  const value = r.numerator / r.denominator;
  const j = judge(r.rule, value, r.guardCount);
  const severity = severityOf(j);
  if (!severity) return undefined;
  const guard = guardOf(r.rule, r.guardCount);
  return {
    kind: r.kind,
    severity,
    service: c.name,
    team: c.team,
    env: r.env ?? null,
    version: r.version ?? null,
    tag: r.tag ?? null,
    callee: r.callee ?? null,
    measure: r.rule.measure,
    value: Math.round(value * 1e6) / 1e6,
    numerator: r.numerator,
    denominator: r.denominator,
    threshold: threshold(r.rule),
    guard,
    summary: `${r.summary(value)}${guardNote(guard, j)}`,
    likelyCause: r.likelyCause,
    remediation: r.remediation,
    likelyCaller: r.likelyCaller ?? null,
    examples: r.examples.map((id) => ({ traceId: id, url: traceUrl(c.site, id) })),
    links: { ...c.links, traceExplorer: r.explore },
  };
}

function envQuery(name: string, env: string | undefined, extra = ''): string {
  return `service:${name}${env === undefined ? '' : ` env:${env}`}${extra}`;
}

const versionLabel = (v: string | undefined) => (v === undefined ? 'without version' : `version ${v}`);

/** Who most likely lost the context of `name`'s unexpected roots: unpaired edges, observed callers, the catalog. */
function likelyCaller(a: Analysis, name: string, env: string | undefined): Finding['likelyCaller'] {
  const unpaired = new Map<string, number>();
  const calls = new Map<string, number>();
  for (const [caller, acc] of a.services) {
    if (caller === name) continue;
    for (const g of acc.groups.values()) {
      if (g.env !== env) continue;
      const c = g.calls.get(name);
      if (!c) continue;
      calls.set(caller, (calls.get(caller) ?? 0) + c.checked);
      if (c.unpaired > 0) unpaired.set(caller, (unpaired.get(caller) ?? 0) + c.unpaired);
    }
  }
  const top = (m: Map<string, number>) =>
    [...m.entries()].sort(([x, n], [y, o]) => o - n || (x < y ? -1 : 1))[0] as [string, number] | undefined;
  const u = top(unpaired);
  if (u)
    return { service: u[0], evidence: `${u[1]} of its client spans calling ${name} have no ${name} span below them` };
  const o = top(calls);
  if (o) return { service: o[0], evidence: `its client spans call ${name} (peer.service), ${o[1]} in the input` };
  const deps = a.options.dependents?.[name] ?? [];
  if (deps.length)
    return {
      service: deps[0],
      evidence: `the catalog says it depends on ${name}${deps.length > 1 ? ` (so do ${deps.slice(1).join(', ')})` : ''}`,
    };
  return null;
}

function serviceFindings(c: Context): Finding[] {
  const { a, acc, name } = c;
  const out: Finding[] = [];
  const byEnv = new Map<string | undefined, GroupCounts[]>();
  for (const g of acc.groups.values()) {
    const list = byEnv.get(g.env) ?? [];
    list.push(g);
    byEnv.set(g.env, list);
  }
  const internal = a.internal.has(name);
  const envs = [...byEnv.keys()].sort((x, y) => (x ?? '').localeCompare(y ?? ''));
  for (const env of envs) {
    const groups = byEnv.get(env)!.sort((x, y) => compareVersions(x.version ?? '', y.version ?? ''));
    // Orphans and unexpected roots: per version, guarded by the version's checked spans.
    const orphanRates = groups.filter((g) => g.spans > 0).map((g) => [g.version, g.orphans / g.spans] as const);
    for (const g of groups) {
      const best = orphanRates.length > 1 ? [...orphanRates].sort((x, y) => x[1] - y[1])[0] : undefined;
      const f = ratioFinding(c, {
        kind: 'orphan-rate',
        rule: orphanRateRule(c.checks),
        env,
        version: g.version,
        numerator: g.orphans,
        denominator: g.spans,
        guardCount: g.spans,
        summary: (v) =>
          `orphan spans: ${pct(v)} (${g.orphans} of ${g.spans} checked spans) in ${versionLabel(g.version)}` +
          (best && best[0] !== g.version ? ` (${versionLabel(best[0])}: ${pct(best[1])})` : ''),
        likelyCause:
          'Spans name a parent that is missing from the complete trace: context was lost inside the service (a new async executor, thread pool or callback the tracer does not follow) or a second tracer started its own spans.',
        remediation: PROPAGATION_FIX,
        examples: g.examples.orphanSpans.ids,
        explore: traceExplorerUrl(c.site, envQuery(name, env, g.version === undefined ? '' : ` version:${g.version}`)),
      });
      if (f) out.push(f);
      if (internal && g.roots > 0) {
        const caller = likelyCaller(a, name, env);
        const r = ratioFinding(c, {
          kind: 'unexpected-roots',
          rule: unexpectedRootsRule(c.checks),
          env,
          version: g.version,
          numerator: g.roots,
          denominator: g.roots,
          guardCount: g.spans,
          summary: (v) =>
            `unexpected roots: ${pct(v)} (${g.roots} of ${g.roots} root spans) in ${versionLabel(g.version)} — traces start here although other services call it` +
            (caller ? `; likely caller: ${caller.service} (${caller.evidence})` : ''),
          likelyCause:
            'The trace context was lost on the way in: the caller, a proxy, load balancer or queue between the caller and this service dropped the trace headers.',
          remediation: `Check the calls into ${name}${caller ? ` from ${caller.service}` : ''}: does the caller inject the trace headers and does ${name} extract them (same propagation styles on both sides)? Services that may start traces belong in the policy's entrypoints.`,
          examples: g.examples.roots.ids,
          explore: traceExplorerUrl(
            c.site,
            envQuery(name, env, g.version === undefined ? '' : ` version:${g.version}`),
          ),
          likelyCaller: caller,
        });
        if (r) out.push(r);
      }
    }
    // Unpaired calls: per callee over the env, guarded by the calls checked to that callee.
    const calls = new Map<string, { checked: number; unpaired: number; ex: (Examples | undefined)[] }>();
    for (const g of groups)
      for (const [peer, cnt] of g.calls) {
        if (!a.knownServices.has(peer)) continue;
        const e = calls.get(peer) ?? { checked: 0, unpaired: 0, ex: [] };
        e.checked += cnt.checked;
        e.unpaired += cnt.unpaired;
        e.ex.push(g.examples.unpairedCalls.get(peer));
        calls.set(peer, e);
      }
    for (const callee of [...calls.keys()].sort()) {
      const e = calls.get(callee)!;
      const f = ratioFinding(c, {
        kind: 'unpaired-calls',
        rule: unpairedCallsRule(c.checks),
        env,
        callee,
        numerator: e.unpaired,
        denominator: e.checked,
        guardCount: e.checked,
        summary: (v) =>
          `unpaired calls to ${callee}: ${pct(v)} (${e.unpaired} of ${e.checked} client spans with no ${callee} span below them) — the break is on the edge ${name} → ${callee}`,
        likelyCause: `Either ${name} stopped sending the trace headers on calls to ${callee} or ${callee} stopped reading them.`,
        remediation: `Compare the recent deploys of ${name} and ${callee}; check both sides' propagation styles and any proxy between them.`,
        examples: merged(e.ex, c.k),
        explore: traceExplorerUrl(c.site, envQuery(name, env, ` @peer.service:${callee}`)),
      });
      if (f) out.push(f);
    }
    // Two tracing libraries: tracer families and double instrumentation over the env, no guard.
    let mask = 0;
    let double = 0;
    for (const g of groups) {
      mask |= g.tracerMask;
      double += g.doubleInstrumented;
    }
    const families = (mask & 1) + ((mask >> 1) & 1);
    const tracerNames = [mask & 1 ? 'datadog' : '', mask & 2 ? 'opentelemetry' : ''].filter(Boolean);
    const twoTracers = [
      {
        rule: TRACER_FAMILIES_RULE,
        value: families,
        summary: `two tracing libraries: spans come from ${tracerNames.join(' and ')}`,
        examples: merged([...acc.examples.tracers.values()], c.k),
      },
      {
        rule: DOUBLE_INSTRUMENTED_RULE,
        value: double,
        summary: `double instrumentation: ${double} server spans directly under a server span of the same resource`,
        examples: merged(
          groups.map((g) => g.examples.doubleInstrumentedSpans),
          c.k,
        ),
      },
    ];
    for (const t of twoTracers) {
      const j = judge(t.rule, t.value);
      if (!j.severity) continue;
      out.push({
        kind: 'two-tracers',
        severity: j.severity,
        service: name,
        team: c.team,
        env: env ?? null,
        version: null,
        tag: null,
        callee: null,
        measure: t.rule.measure,
        value: t.value,
        numerator: null,
        denominator: null,
        threshold: threshold(t.rule),
        guard: null,
        summary: t.summary,
        likelyCause:
          'An OpenTelemetry SDK or agent next to the Datadog tracer, two agents attached to the process, or a library that ships its own instrumentation on top of the auto-instrumentation: each starts its own spans, so requests split.',
        remediation:
          'Keep one tracing library per service (or configure the OpenTelemetry API to use the Datadog tracer) and remove the duplicate instrumentation.',
        likelyCaller: null,
        examples: t.examples.map((id) => ({ traceId: id, url: traceUrl(c.site, id) })),
        links: { ...c.links, traceExplorer: traceExplorerUrl(c.site, envQuery(name, env)) },
      });
    }
    // Tag coverage: per tag over the env (the span-based metrics have no version), guarded by the spans in scope.
    const byTag = new Map<
      string,
      { covered: number; total: number; scope: string; perVersion: Map<string, number[]> }
    >();
    for (const g of groups)
      g.coverage.forEach((cov, i) => {
        if (cov.total === 0) return;
        const rule = acc.rules[i].rule;
        const e = byTag.get(rule.tag) ?? { covered: 0, total: 0, scope: rule.scope, perVersion: new Map() };
        e.covered += cov.covered;
        e.total += cov.total;
        const v = e.perVersion.get(g.version ?? '') ?? [0, 0];
        v[0] += cov.covered;
        v[1] += cov.total;
        e.perVersion.set(g.version ?? '', v);
        byTag.set(rule.tag, e);
      });
    for (const tag of [...byTag.keys()].sort()) {
      const e = byTag.get(tag)!;
      const versions = [...e.perVersion.entries()]
        .map(([v, [cv, t]]) => [v, cv / t] as const)
        .sort((x, y) => compareVersions(x[0], y[0]));
      let drop = '';
      if (versions.length > 1) {
        const worst = [...versions].sort((x, y) => x[1] - y[1])[0];
        const best = [...versions].sort((x, y) => y[1] - x[1])[0];
        if (best[1] - worst[1] >= 1 - c.checks.tagCoverage.warning)
          drop = ` — dropped in ${versionLabel(worst[0] || undefined)}: ${pct(worst[1])} (${versionLabel(best[0] || undefined)}: ${pct(best[1])})`;
      }
      const f = ratioFinding(c, {
        kind: 'tag-coverage',
        rule: tagCoverageRule(c.checks, tag),
        env,
        tag,
        numerator: e.total - e.covered,
        denominator: e.total,
        guardCount: e.total,
        summary: () =>
          `\`${tag}\` coverage: ${pct(e.covered / e.total)} (${e.covered} of ${e.total} spans in scope \`${e.scope}\`)${drop}`,
        likelyCause: `A deploy that stopped setting \`${tag}\` (refactored middleware, a new framework version, a renamed attribute), a tracing-library change that maps it to another name, or a second tracer whose spans do not get it.`,
        remediation: `Set \`${tag}\` on the spans in scope again (on entry spans: in the request middleware, after authentication), then check the version's coverage in the dashboard.`,
        examples: merged(
          groups.map((g) => g.examples.missingTags.get(tag)),
          c.k,
        ),
        explore: traceExplorerUrl(
          c.site,
          env === undefined ? `service:${name} -@${tag}:*` : missingTagSpanQuery(name, env, { scope: e.scope, tag }),
        ),
      });
      if (f) out.push(f);
    }
  }
  return out;
}

function linksFor(a: Analysis, name: string): Omit<FindingLinks, 'traceExplorer'> {
  const site = a.options.site;
  return {
    service: serviceUrl(site, name),
    dashboard: dashboardSearchUrl(site, serviceDashboardTitle(name)),
    runbook: a.options.services?.[name]?.runbook ?? null,
  };
}

function catalogFindings(a: Analysis): Finding[] {
  const catalog = a.options.catalogServices;
  if (!catalog) return [];
  const site = a.options.site;
  const listed = new Set(catalog);
  const out: Finding[] = [];
  const base = (name: string) => ({
    service: name,
    env: null,
    version: null,
    tag: null,
    callee: null,
    value: null,
    numerator: null,
    denominator: null,
    threshold: null,
    guard: null,
    likelyCaller: null,
  });
  for (const name of [...a.services.keys()].sort()) {
    if (listed.has(name)) continue;
    const acc = a.services.get(name)!;
    let spans = 0;
    const envs = new Set<string>();
    for (const g of acc.groups.values()) {
      spans += g.spans;
      if (g.env !== undefined) envs.add(g.env);
    }
    if (spans === 0) continue;
    out.push({
      kind: 'not-in-catalog',
      severity: 'warning',
      team: 'unowned',
      ...base(name),
      measure: 'spans of a service the catalog does not list',
      value: spans,
      summary: `not in the catalog: ${spans} spans${envs.size ? ` in ${[...envs].sort().join(', ')}` : ''}, tracers ${[...acc.tracers].sort().join(', ')} — no monitor, dashboard or SLO watches this service`,
      likelyCause:
        'A new service, or a service renamed (DD_SERVICE, service.name) without its catalog definition; also integrations that report under their own service name.',
      remediation:
        'Register it: `trace-health catalog suggest --from REPORT --out DIR` writes a draft v3 definition (owner left for a person to fill); review and add it to the catalog.',
      examples: merged([acc.examples.orphanSpans, ...acc.examples.tracers.values()], 1).map((id) => ({
        traceId: id,
        url: traceUrl(site, id),
      })),
      links: {
        service: serviceUrl(site, name),
        dashboard: dashboardSearchUrl(site, serviceDashboardTitle(name)),
        traceExplorer: traceExplorerUrl(site, `service:${name}`),
        runbook: null,
      },
    });
  }
  const seen = new Set(a.services.keys());
  for (const name of [...listed].sort()) {
    const so = a.options.services?.[name];
    if (seen.has(name) || so?.enabled === false) continue;
    out.push({
      kind: 'not-seen',
      severity: 'info',
      team: so?.team ?? 'unowned',
      ...base(name),
      measure: 'spans in the input',
      value: 0,
      summary:
        'not seen: in the catalog, but no span of it in the input (a quiet service may just be missing from the sample; the no-traces monitor judges all ingested spans)',
      likelyCause:
        'The service sends no traces (tracing off, renamed service, unreachable agent), was retired, or had no sampled trace in this window.',
      remediation:
        'Check its no-traces monitor and APM service page; a retired service leaves the catalog (or is disabled in trace-health.yaml).',
      examples: [],
      links: { ...linksFor(a, name), traceExplorer: traceExplorerUrl(site, `service:${name}`) },
    });
  }
  return out;
}

/** Worst first: severity, then service, kind, env, version, tag, callee. */
export function compareFindings(x: Finding, y: Finding): number {
  const keys = (f: Finding) => [
    f.service,
    String(FINDING_KINDS.indexOf(f.kind)).padStart(2, '0'),
    f.env ?? '',
    f.version ?? '',
    f.tag ?? '',
    f.callee ?? '',
    f.measure,
  ];
  const d = SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity];
  if (d) return d;
  const kx = keys(x);
  const ky = keys(y);
  for (let i = 0; i < kx.length; i++) if (kx[i] !== ky[i]) return kx[i] < ky[i] ? -1 : 1;
  return 0;
}

/** Every finding of the analysis, worst first. */
export function buildFindings(a: Analysis): Finding[] {
  const out: Finding[] = [];
  const k = a.options.maxExamples ?? 3;
  const defaults = a.options.defaultChecks ?? unlistedServiceChecks();
  for (const name of [...a.services.keys()].sort()) {
    const acc = a.services.get(name)!;
    const so = a.options.services?.[name];
    out.push(
      ...serviceFindings({
        a,
        site: a.options.site,
        k,
        name,
        acc,
        team: so?.team ?? 'unowned',
        checks: so?.checks ?? defaults,
        links: linksFor(a, name),
      }),
    );
  }
  out.push(...catalogFindings(a));
  return out.sort(compareFindings);
}
