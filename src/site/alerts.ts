/**
 * A monitor's message as Datadog would send it for a sample transition: the conditional blocks rendered for that
 * transition (the simulator's renderer, src/simulate/notifications.ts), group variables filled with sample values
 * (`{{version.name}}`, `{{urlencode "peer_service.name"}}`), and the dashboard link — a Terraform reference to an id
 * that exists only after apply — replaced by the dashboard-list search for its title. Used by the site's service
 * pages and by drill kits. Pure.
 */
import { dashboardSearchUrl } from '../constructs/dashboard/links';
import type { ServicePlan } from '../constructs/service/plan';
import type { MonitorSpec } from '../constructs/service/specs';
import { MonitorState, notifiedHandles, renderConditionals, transitionVariables } from '../simulate/notifications';

export interface SampleAlert {
  readonly monitor: MonitorSpec;
  readonly state: Exclude<MonitorState, 'OK'>;
  /** Group values used, e.g. `{ version: '2.0.0' }`. */
  readonly group: Readonly<Record<string, string>>;
  /** The rendered message (Markdown). */
  readonly text: string;
  /** Handles the notification reaches. */
  readonly notified: readonly string[];
}

/** The state a monitor notifies in first: No Data for the "no traces" monitor (its No Data is the alert), else Alert. */
export function alertState(m: MonitorSpec): Exclude<MonitorState, 'OK'> {
  return m.onMissingData === 'show_and_notify_no_data' ? 'No Data' : 'Alert';
}

/** Group variables a message uses (`version`, `peer_service`), in order of appearance. */
export function groupVariables(message: string): string[] {
  const out: string[] = [];
  for (const m of message.matchAll(/\{\{(?:urlencode\s+")?([A-Za-z0-9_]+)\.name"?\}\}/g))
    if (!out.includes(m[1])) out.push(m[1]);
  return out;
}

export function sampleAlert(
  site: string,
  plan: ServicePlan,
  m: MonitorSpec,
  state: Exclude<MonitorState, 'OK'> = alertState(m),
  groupValues: Readonly<Record<string, string>> = {},
): SampleAlert {
  const group: Record<string, string> = {};
  for (const v of groupVariables(m.message)) group[v] = groupValues[v] ?? `sample-${v.replace(/_/g, '-')}`;
  let text = renderConditionals(m.message, transitionVariables('OK', state));
  text = text
    .replace(/\{\{urlencode\s+"([A-Za-z0-9_]+)\.name"\}\}/g, (x, v: string) =>
      group[v] !== undefined ? encodeURIComponent(group[v]) : x,
    )
    .replace(/\{\{([A-Za-z0-9_]+)\.name\}\}/g, (x, v: string) => group[v] ?? x)
    .replace(/https:\/\/[^\s)]*\/dashboard\/\$\{datadog_dashboard_json\.[^}]+\}/g, () =>
      dashboardSearchUrl(site, plan.dashboard.title),
    );
  return { monitor: m, state, group, text: text.trim(), notified: notifiedHandles(m.message, 'OK', state) };
}
