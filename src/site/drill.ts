/**
 * Incident-drill kits (`trace-health drill SERVICE`): for each fault class the project detects — the simulator's
 * built-in scenario kinds — a printable Markdown kit: the brief (what users experience), what the on-call receives
 * (the monitor's message rendered for the transition the simulation produced, with its links and handles), the
 * questions to answer in order and, in the facilitator's version, the answer key (where to look, what they should
 * find, the fix). Where the collector report has a real finding for the service, that kind's kit replays it.
 *
 * Everything comes from the plan and the simulation: the monitors and their messages (src/site/alerts.ts), the
 * dashboard's widget titles, the cheat sheet (`serviceCheatSheet`, the dashboard note's source), the simulated
 * transitions (src/simulate/run.ts). Pure.
 */
import { serviceCheatSheet } from '../constructs/dashboard/service-dashboard';
import { dashboardSearchUrl, datadogLinks } from '../constructs/dashboard/links';
import type { ServicePlan, ServicePlanInput } from '../constructs/service/plan';
import { traceUrl } from '../datadog/site';
import { READINGS, Transition } from '../simulate/evaluate';
import type { ScenarioOutcome } from '../simulate/run';
import { sampleAlert } from './alerts';
import type { DrillFinding } from './drill-findings';

export type DrillRole = 'facilitator' | 'participant';
export const DRILL_ROLES: readonly DrillRole[] = ['facilitator', 'participant'];

export interface DrillInput {
  readonly site: string;
  readonly service: ServicePlanInput & { readonly plan: ServicePlan };
  /** The simulated scenarios of the service's first env, in kit order. */
  readonly outcomes: readonly ScenarioOutcome[];
  readonly role: DrillRole;
  /** Real findings for the service (collector report), by scenario kind. */
  readonly findings?: readonly DrillFinding[];
  /** The report file as the user named it (for the kit's text). */
  readonly reportName?: string;
}

interface KindText {
  readonly title: string;
  /** What users (and colleagues) experience. */
  readonly users: string;
  /** Ordered questions; `{x}` placeholders: {service} {tag} {callee} {env}. */
  readonly questions: readonly string[];
  /** Dashboard widget titles (prefix match, `Group / Title`) where the answer is. */
  readonly widgets: readonly string[];
  readonly find: string;
  readonly fix: string;
}

const KINDS: Readonly<Record<string, KindText>> = {
  'tag-vanishes': {
    title: 'A required tag vanishes',
    users:
      'Nothing fails for users. Support asks you for the traces of one customer and Trace Explorer finds none: `{tag}` is no longer on the spans of {service}, so every search, facet and dashboard filtering on it is blind.',
    questions: [
      'Which monitor notified you, for which env, and what does its rule say?',
      'On the trace-health dashboard, which graph shows the problem, and since when?',
      'Open the “spans missing `{tag}`” link: which spans lack the tag — all of them, or one endpoint or version?',
      'Was `{tag}` ever there? Which change (deploy, library upgrade, new policy rule) explains it?',
      'Where in the code or configuration is `{tag}` set, and what is the fix?',
      'How will you know the fix worked, and which monitor returns to OK?',
    ],
    widgets: ['Tag coverage / {tag} coverage'],
    find: 'Coverage of `{tag}` is 0% from the first minute the monitor judges the service: the tag never arrived (a library upgrade shipped before the monitor existed, or a newly required tag). The monitor alerts because it counts spans *missing* the tag, which cannot vanish.',
    fix: 'Set `{tag}` where the span is created (middleware for entry spans, error handler for error spans) or map the attribute name the new library uses; redeploy and watch the coverage graph climb back above the threshold.',
  },
  'tag-drops': {
    title: 'A deploy drops a required tag',
    users:
      'Nothing fails for users. After a deploy, dashboards and searches filtered by `{tag}` show a fraction of the traffic of {service}: investigations by user or error silently miss most requests.',
    questions: [
      'Which monitor notified you, and at which level (warning or critical)?',
      'Which version introduced the drop? Where do you read coverage by version?',
      'What share of spans in scope still carries `{tag}` in the new version, and in the old one?',
      'Open spans missing `{tag}` in the new version: what do they have in common?',
      'What is the fix, and is a rollback needed meanwhile?',
    ],
    widgets: ['Tag coverage / {tag} coverage'],
    find: 'Coverage of `{tag}` falls with version 2.0.0 (about 90% of spans in scope keep it), below the coverage thresholds; the by-version graph (collector series) names the version, the deploy marker shows when it shipped.',
    fix: 'Restore the code that sets `{tag}` in the path the new version changed (refactored middleware, a renamed attribute), or roll back; coverage returns once the fixed version takes the traffic.',
  },
  'orphans-new-version': {
    title: 'A new version breaks trace context',
    users:
      'Requests work, but every other trace of {service} shows up in pieces: the on-call of a neighbouring team cannot follow a slow request across services, and Trace Explorer shows “missing parent” spans.',
    questions: [
      'Which monitor notified you, for which version?',
      'On the dashboard, when did the orphan rate rise, and which deploy marker lines up with it?',
      'Open a trace of that version: which span lost its parent, and what kind of work is it (thread, async task, queue consumer, client call)?',
      'What changed in that version around that code path (framework, executor, client library, tracing library)?',
      'What is the fix — and what do you do right now (roll back or forward)?',
      'After the rollback or fix, what tells you it is over?',
    ],
    widgets: ['Trace continuity / Orphan span rate'],
    find: 'The orphan rate of version 2.0.0 is about 17% (one lost parent every other request), far above the critical threshold, while 1.0.0 stays at 0; the jump lines up with the 2.0.0 deploy marker and ends with the rollback.',
    fix: 'Carry the context across the boundary the new version introduced (instrumented executor, pass the request context, one tracer); the alert recovers once no span of the bad version is checked in a window.',
  },
  'traffic-stops': {
    title: 'Traces stop arriving',
    users:
      'The service works, yet it has vanished from APM: no traces of {service} in env {env}, its APM page is empty, and every graph of it flattens. Nobody can investigate it while this lasts.',
    questions: [
      'Which monitor notified you, and what state is it in (Alert or No Data)? Why that state?',
      'Is the service down, or only its tracing? How do you tell?',
      'Where are `DD_SERVICE`, `DD_ENV` and `DD_TRACE_ENABLED` set for this service, and did any of them change?',
      'Are spans arriving under another service or env name?',
      'What is the fix, and what recovers first?',
    ],
    widgets: ['Trace continuity / Spans checked by the collector'],
    find: 'The “no traces” monitor goes No Data one window after the last span (its No Data is the alert: `on_missing_data: show_and_notify_no_data`); span counts drop to nothing at the same time, while the service itself keeps serving.',
    fix: 'Re-enable the tracer or restore the service/env names (tracer environment, Kubernetes labels, OpenTelemetry resource attributes) and make the agent reachable; the monitor recovers when spans arrive again.',
  },
  'low-volume': {
    title: 'Low traffic looks alarming — and must not page',
    users:
      'A quiet period (night, a test environment): graphs of {service} look terrible — 100% orphans, no tags — because there are only a handful of spans.',
    questions: [
      'Did anyone get paged? Why not?',
      'How many spans did the collector check per window, and what is the policy’s minimum (`minSpans`)?',
      'Which monitors would alert on the ratio alone, and what stops them?',
      'When would you still act on these graphs?',
    ],
    widgets: ['Trace continuity / Spans checked by the collector'],
    find: 'No ratio monitor notifies: each is a composite `ratio && volume guard`, and the guard needs at least `minSpans` checked spans per window. Only SLO budgets (no guard) may burn.',
    fix: 'Nothing to fix in tracing. If such windows matter (a low-traffic but critical service), lower `minSpans` for it in trace-health.yaml.',
  },
  'edge-loses-propagation': {
    title: 'One call edge loses trace context',
    users:
      'Calls from {service} to {callee} work, but the two never appear in one trace: following a request from {service} stops at the client span, and {callee}’s spans start new traces.',
    questions: [
      'Which monitor notified you, and for which callee?',
      'On the dashboard, which callee is worst in “Unpaired calls by callee”?',
      'Open a call to {callee}: which propagation headers does {service} send, and which does {callee} read?',
      'Is there a proxy, gateway or queue between them? Did either side change recently?',
      'What is the fix, and on which side?',
    ],
    widgets: ['Trace continuity / Unpaired calls by callee'],
    find: 'Unpaired calls to {callee} are at 100% from the fault on (no server span of {callee} under any client span of {service}); other edges are fine, so the break is on this one edge.',
    fix: 'Make both sides share a propagation style (`DD_TRACE_PROPAGATION_STYLE=datadog,tracecontext`, `OTEL_PROPAGATORS`), make the proxy forward the headers, or instrument the protocol on the callee side.',
  },
  'callers-lose-context': {
    title: 'Callers stop sending trace context',
    users:
      'Requests into {service} work, but its traces start at {service} instead of at its caller: end-to-end traces from the edge stop one hop early.',
    questions: [
      'Which monitor notified you, for which version of {service}?',
      'Who calls {service} (catalog `dependsOn`), and which of them changed?',
      'Open a trace that starts in {service}: does the request carry `traceparent` or `x-datadog-*` headers?',
      'Is it the callers (not injecting) or {service} (not extracting)? How do you tell?',
      'What is the fix?',
    ],
    widgets: ['Trace continuity / Unexpected trace roots'],
    find: 'Every trace of {service} starts at its entry span (unexpected roots at 100%) although only traced services call it: context is lost on the way in.',
    fix: 'Restore header injection in the caller or a proxy that forwards them, or extraction of the caller’s propagation style in {service}.',
  },
  'second-tracer': {
    title: 'A second tracing library',
    users:
      'Requests of {service} show up twice, or split into two traces: one from the Datadog tracer, one from an OpenTelemetry SDK. Span counts double, links between services break at random.',
    questions: [
      'Which monitor notified you?',
      'On the dashboard, how many tracing-library families does {service} report, and since when?',
      'Open a trace: which spans carry OpenTelemetry attributes and which the Datadog tracer’s?',
      'Where did the second tracer come from (dependency, framework starter, sidecar, second agent flag)?',
      'What is the fix: which tracer stays?',
    ],
    widgets: ['Trace continuity / Tracing-library families', 'Trace continuity / Double-instrumented spans'],
    find: 'Two tracer families from the fault on (30% of requests traced by an OpenTelemetry SDK next to the Datadog tracer).',
    fix: 'Keep one tracer: remove the second agent or SDK, or let the Datadog tracer provide the OpenTelemetry API (`DD_TRACE_OTEL_ENABLED=true`).',
  },
};

function fill(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\{(service|tag|callee|env)\}/g, (m, k: string) => vars[k] ?? m);
}

/** `svc/prod/tag-drops:usr.id` → `usr.id`. */
function argOf(name: string): string | undefined {
  const i = name.lastIndexOf(':');
  const slash = name.lastIndexOf('/');
  return i > slash ? name.slice(i + 1) : undefined;
}

/** The first notifying transition after the fault under the first reading that has one. */
function firstAlert(o: ScenarioOutcome): { monitor: string; t: Transition } | undefined {
  for (const reading of READINGS)
    for (const m of o.monitors) {
      const t = m.transitions[reading].find((x) => x.minute >= o.faultStart && x.to !== 'OK' && x.notified.length > 0);
      if (t) return { monitor: m.id, t };
    }
  return undefined;
}

function quote(markdown: string): string {
  return markdown
    .split('\n')
    .map((l) => (l ? `> ${l}` : '>'))
    .join('\n');
}

export function renderDrill(input: DrillInput): string {
  const { service: x, role, site } = input;
  const plan = x.plan;
  const env = x.policy.envs[0] ?? '*';
  const facilitator = role === 'facilitator';
  const out: string[] = [
    `# Incident drill: ${plan.service}${facilitator ? ' — facilitator' : ' — participant'}`,
    '',
    `Team ${plan.team}, tier ${plan.tier ?? 'not set'}, env \`${env}\`. ${exerciseList(input.outcomes.map((o) => o.kind))}.`,
    '',
  ];
  if (facilitator)
    out.push(
      '## How to run it',
      '',
      '1. Hand out the participant version (`--role participant`): brief, alert and questions, no answers.',
      '2. Per fault class, read the brief aloud and show the alert; give 10–15 minutes for the questions, in order. Participants use the live Datadog links (or the site: `trace-health site`) — no one drives for them.',
      '3. Debrief with the answer key: where they looked, what they found, what they would change. Note what was hard to find: that is the next cheat-sheet or runbook change.',
      '',
      'The alerts and timings below come from `trace-health simulate`: the monitors synth generates, evaluated with documented Datadog semantics on the scenario’s traffic.',
      '',
    );
  out.push(
    '## Links',
    '',
    ...datadogLinks(site, plan.service, env, x.policy.requiredTags).map((l) => `- ${l.label}: ${l.url}`),
    `- Trace-health dashboard (dashboard list search): ${dashboardSearchUrl(site, plan.dashboard.title)}`,
    ...(x.service.runbook ? [`- Runbook: ${x.service.runbook}`] : ['- Runbook: none in the service catalog']),
    '',
  );
  input.outcomes.forEach((o, i) => out.push(...kindSection(input, o, i + 1, env)));
  if (facilitator) {
    out.push('## Appendix: the cheat sheet (as on the dashboard)', '');
    for (const section of serviceCheatSheet(x.policy, x.service)) out.push(section.replace(/^## /gm, '### '), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function kindSection(input: DrillInput, o: ScenarioOutcome, n: number, env: string): string[] {
  const text = KINDS[o.kind];
  const plan = input.service.plan;
  const facilitator = input.role === 'facilitator';
  const arg = argOf(o.name);
  const finding = input.findings?.find((f) => f.kind === o.kind && (arg === undefined || f.subject === arg));
  const vars: Record<string, string> = {
    service: plan.service,
    env,
    tag: o.kind.startsWith('tag-') ? (arg ?? '') : '',
    callee: o.kind === 'edge-loses-propagation' ? (arg ?? '') : '',
  };
  const title = text ? fill(text.title, vars) : o.kind;
  const out = [`## ${n}. ${title}${arg ? ` (\`${arg}\`)` : ''}`, ''];
  if (o.status === 'skipped') {
    out.push(`Not applicable to ${plan.service}: ${o.skipReason ?? 'skipped'}.`, '');
    return out;
  }
  out.push('### Brief', '', text ? fill(text.users, vars) : o.description, '');
  if (finding) {
    out.push(
      `**This one happened.** The collector report${input.reportName ? ` (\`${input.reportName}\`)` : ''} has a real finding for ${plan.service} (severity ${finding.severity}): ${finding.summary}`,
      ...(finding.severity === 'info'
        ? ['', 'No monitor fired for it (see why above); the alert below is the one it sends once the monitor does.']
        : []),
      ...(finding.examples.length
        ? ['', 'Example traces:', ...finding.examples.map((id) => `- ${traceUrl(input.site, id)}`)]
        : []),
      '',
    );
  } else if (facilitator) out.push(`Scenario (simulated): ${o.description}`, '');

  const alert = firstAlert(o);
  out.push('### What the on-call receives', '');
  if (alert) {
    const m = plan.monitors.find((x) => x.id === alert.monitor)!;
    const group: Record<string, string> = {};
    for (const kv of alert.t.group.split(',').filter(Boolean)) {
      const i = kv.indexOf(':');
      group[kv.slice(0, i)] = kv.slice(i + 1);
    }
    if (finding?.group) Object.assign(group, finding.group);
    const state = alert.t.to === 'OK' ? 'Alert' : alert.t.to;
    const a = sampleAlert(input.site, plan, m, state, group);
    out.push(
      `**${m.name}** — ${a.state}${
        alert.t.group
          ? ` (${Object.entries(a.group)
              .map(([k, v]) => `${k}:${v}`)
              .join(', ')})`
          : ''
      }, sent to ${a.notified.join(' ') || 'nobody'}` +
        (finding ? '.' : `, ${minutes(alert.t.minute - o.faultStart)} after the fault starts (simulated).`),
      '',
      quote(a.text),
      '',
    );
  } else out.push('Nobody is notified: no monitor fires in this scenario.', '');

  out.push('### Questions, in order', '');
  (text?.questions ?? ['What happened, and how do you know?']).forEach((q, i) =>
    out.push(`${i + 1}. ${fill(q, vars)}`),
  );
  out.push('');
  if (!facilitator) return out;

  out.push('### Answer key', '');
  const wanted = (text?.widgets ?? []).map((w) => fill(w, vars));
  const titles = plan.dashboard.widgetTitles.filter((t) => wanted.some((w) => t.startsWith(w)));
  if (titles.length)
    out.push(
      `- **Where to look**: the trace-health dashboard, ${titles.map((t) => `“${t}”`).join(', ')}; the links in the alert.`,
    );
  if (text) out.push(`- **What they should find**: ${finding ? finding.summary : fill(text.find, vars)}`);
  if (text) out.push(`- **The fix**: ${finding ? finding.remediation : fill(text.fix, vars)}`);
  const outcome = o.monitors
    .filter((m) => m.expected !== 'quiet')
    .map((m) => `${m.id}: expected ${m.expected}`)
    .join('; ');
  if (outcome) out.push(`- **What the simulation checked**: ${outcome} (${o.status}).`);
  out.push('');
  return out;
}

const minutes = (n: number): string => `${n} minute${n === 1 ? '' : 's'}`;

/** `3 exercises: tag-vanishes (×2), traffic-stops`: one exercise per fault class and tag or callee. */
function exerciseList(kinds: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  const list = [...counts].map(([k, n]) => (n > 1 ? `${k} (×${n})` : k)).join(', ');
  return `${kinds.length} exercise${kinds.length === 1 ? '' : 's'}: ${list}`;
}
