/**
 * Who a monitor notification reaches: the message rendered for one transition, then its `@handles`.
 *
 * Datadog notifies the handles found in the rendered message. Text outside conditional blocks is rendered on every
 * transition; `{{#is_alert}}…{{/is_alert}}` only when the monitor alerts, `{{#is_no_data}}` on No Data,
 * `{{#is_recovery}}` on recovery from Alert, Warn or No Data, `{{#is_alert_recovery}}` Alert→OK,
 * `{{#is_warning_recovery}}` Warn→OK, `{{#is_no_data_recovery}}` No Data→OK, `{{#is_alert_to_warning}}`
 * Alert→Warn; `{{^x}}` is the negation of `{{#x}}` (DOC:content/en/monitors/notify/variables.md). Whether
 * `{{#is_warning}}` holds on an Alert→Warn transition is undocumented: here it does, and `{{#is_alert}}` does
 * not (datadog-semantics §6, pessimistic: pagers in `{{#is_alert}}` are not told). Blocks this module does not
 * know (`{{#is_match …}}`, `{{#is_renotify}}`) render as false: handles inside them are never counted as reached.
 */
export type MonitorState = 'OK' | 'Warn' | 'Alert' | 'No Data';

/** The conditional variables that hold for a transition `from → to`. */
export function transitionVariables(from: MonitorState | undefined, to: MonitorState): ReadonlySet<string> {
  const on = new Set<string>();
  if (to === 'Alert') on.add('is_alert');
  if (to === 'Warn') on.add('is_warning');
  if (to === 'No Data') on.add('is_no_data');
  if (to === 'OK' && from !== undefined && from !== 'OK') {
    on.add('is_recovery');
    if (from === 'Alert') on.add('is_alert_recovery');
    if (from === 'Warn') on.add('is_warning_recovery');
    if (from === 'No Data') on.add('is_no_data_recovery');
  }
  if (from === 'Alert' && to === 'Warn') on.add('is_alert_to_warning');
  return on;
}

/** Render the conditional blocks of a message for a set of true variables (nested blocks supported). */
export function renderConditionals(message: string, on: ReadonlySet<string>): string {
  const open = /\{\{([#^])\s*([a-z_]+)([^}]*)\}\}/g;
  let out = '';
  let pos = 0;
  for (;;) {
    open.lastIndex = pos;
    const m = open.exec(message);
    if (!m) return out + message.slice(pos);
    out += message.slice(pos, m.index);
    const [tag, sign, name] = m;
    const close = findClose(message, name, m.index + tag.length);
    if (close < 0) return out + message.slice(m.index); // unbalanced: left as text
    const inner = message.slice(m.index + tag.length, close);
    const known = m[3].trim() === '';
    const truth = known && on.has(name);
    if ((sign === '#' && truth) || (sign === '^' && known && !truth)) out += renderConditionals(inner, on);
    pos = close + `{{/${name}}}`.length;
  }
}

function findClose(text: string, name: string, from: number): number {
  let depth = 1;
  const re = new RegExp(`\\{\\{([#^/])\\s*${name}\\b[^}]*\\}\\}`, 'g');
  re.lastIndex = from;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    depth += m[1] === '/' ? -1 : 1;
    if (depth === 0) return m.index;
  }
  return -1;
}

/** `@slack-x`, `@pagerduty-y`, `@team@example.com`: the notification handles in a text (not `%40` in URLs). */
export function handlesIn(text: string): string[] {
  const found = text.replace(/\{\{[^}]*\}\}/g, ' ').match(/(?<![\w%@])@[\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?/g) ?? [];
  return [...new Set(found.map((h) => h.replace(/[.]+$/, '')))].sort();
}

/** The handles a transition notifies. */
export function notifiedHandles(message: string, from: MonitorState | undefined, to: MonitorState): string[] {
  return handlesIn(renderConditionals(message, transitionVariables(from, to)));
}

/** Every handle a message can ever reach (any transition). */
export function allHandles(message: string): string[] {
  const states: MonitorState[] = ['Alert', 'Warn', 'No Data'];
  const set = new Set<string>();
  for (const to of states) for (const h of notifiedHandles(message, 'OK', to)) set.add(h);
  for (const from of states) for (const h of notifiedHandles(message, from, 'OK')) set.add(h);
  return [...set].sort();
}
