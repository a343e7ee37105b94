/**
 * Who gets told, as monitor message text. The routing itself — every handle, the transitions it hears about and
 * where it came from — is decided in the policy (src/policy/routing.ts) and narrowed per monitor by
 * `monitorRoutes`; this module only renders one monitor's routes into the notification block at the end of its
 * message. The review manifest prints the same `MonitorRoutes`, so the message and the manifest cannot disagree.
 */
import { compareStrings } from '../../catalog/problems';
import { MonitorRoutes, monitorTransitions, Transition, TRANSITIONS } from '../../policy/routing';

/** Template variable of each transition, and of the recovery from it (Datadog docs, monitors/notify/variables). */
const STATE_VARIABLE: Readonly<Record<Exclude<Transition, 'recovery'>, string>> = {
  warning: 'is_warning',
  alert: 'is_alert',
  noData: 'is_no_data',
};
const RECOVERY_VARIABLE: Readonly<Record<Exclude<Transition, 'recovery'>, string>> = {
  warning: 'is_warning_recovery',
  alert: 'is_alert_recovery',
  noData: 'is_no_data_recovery',
};

function block(variable: string, handles: string): string {
  return `{{#${variable}}}${handles}{{/${variable}}}`;
}

/**
 * The notification block at the end of a message. Datadog notifies the handles found in the rendered message:
 * text outside conditional blocks "is invoked with every monitor state transition", a handle inside
 * `{{#is_alert}}…{{/is_alert}}` only when the monitor alerts, and a No Data notification does not enter
 * `{{#is_alert}}` blocks (Datadog docs, monitors/notify/variables; DESIGN §4 "Silence"). So a handle told about every
 * transition this monitor can send stands on the first line, outside any block; every other handle gets one block
 * per state it is told about, and one per recovery from those states (`is_alert_recovery`, `is_no_data_recovery`, …)
 * when it is told about recoveries. Handles that hear the same transitions share their blocks.
 */
export function notificationBlock(m: MonitorRoutes): string {
  const transitions = monitorTransitions(m);
  const heard = new Map<string, Set<Transition>>();
  for (const t of transitions) for (const h of m[t] ?? []) heard.set(h, (heard.get(h) ?? new Set()).add(t));

  const always: string[] = [];
  const groups = new Map<string, { states: Exclude<Transition, 'recovery'>[]; recovery: boolean; handles: string[] }>();
  for (const h of [...heard.keys()].sort(compareStrings)) {
    const set = heard.get(h)!;
    if (transitions.every((t) => set.has(t))) {
      always.push(h);
      continue;
    }
    const states = transitions.filter((t): t is Exclude<Transition, 'recovery'> => t !== 'recovery' && set.has(t));
    const recovery = set.has('recovery');
    const key = `${states.join(',')}|${recovery}`;
    const g = groups.get(key) ?? { states, recovery, handles: [] };
    g.handles.push(h);
    groups.set(key, g);
  }

  const lines: string[] = [];
  if (always.length) lines.push(always.join(' '));
  // Groups in the order of their states (warning, alert, no data), then by their first handle.
  const rank = (g: { states: Transition[] }) => g.states.map((t) => TRANSITIONS.indexOf(t)).join(',');
  const ordered = [...groups.values()].sort(
    (a, b) => compareStrings(rank(a), rank(b)) || compareStrings(a.handles[0], b.handles[0]),
  );
  for (const g of ordered) {
    const handles = g.handles.join(' ');
    const parts = g.states.map((s) => block(STATE_VARIABLE[s], handles));
    if (g.recovery) parts.push(...g.states.map((s) => block(RECOVERY_VARIABLE[s], handles)));
    lines.push(parts.join(''));
  }
  return lines.join('\n');
}
