/**
 * Tags on the resources we create. Monitors and SLOs carry the full set so that anyone can find them by service,
 * team or env, and so that `managed-by:trace-health` tells a person editing one in the UI that the next apply will
 * undo the edit. Dashboards accept only `team:<name>` tags (the API rejects others, DESIGN §4): the dashboard
 * builders take care of that, not these helpers.
 */

import { compareStrings } from '../catalog/problems';
import { teamTag } from '../policy/teams';

export const MANAGED_BY_TAG = 'managed-by:trace-health';
/** Which check a monitor or SLO belongs to: `trace-health-check:orphan-rate`, `trace-health-check:tag-coverage`… */
export const CHECK_TAG_KEY = 'trace-health-check';
/**
 * `alert` on monitors that notify people, `component` on the building blocks of composite monitors (a volume
 * guard is in ALERT state whenever traffic is sufficient — that is how `ratio && volume` works). Monitor summary
 * widgets and searches should use `trace-health-role:alert` so that components do not look like incidents.
 */
export const ROLE_TAG_KEY = 'trace-health-role';
export type MonitorRole = 'alert' | 'component';

export function serviceTags(service: string, team: string, env: string): string[] {
  // Datadog lowercases tags and dashboards only accept `team:<handle>`: the team goes through one normaliser.
  return [`service:${service}`, teamTag(team), `env:${env}`, MANAGED_BY_TAG];
}

/** Sorted and de-duplicated: tag order must not depend on the order we happened to add them in. */
export function sortedTags(tags: readonly string[]): string[] {
  return [...new Set(tags)].sort(compareStrings);
}
