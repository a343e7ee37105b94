/**
 * Catalog team names as Datadog sees them. The catalog stores a team as free text (`Platform Eng`), but Datadog
 * lowercases tags and turns characters it does not allow into `_`, and dashboards accept only `team:<handle>` tags
 * where a handle is `a-z`, `0-9` and `._-:/` and does not end with `_`. So a resource tagged `team:Platform Eng`
 * is not found under the team's handle. Every `team:` tag we emit goes through `teamTag`. Pure.
 */

/** Datadog allows 200 characters per tag; `team:` takes 5. */
const MAX_HANDLE = 195;

/**
 * The Datadog team handle (tag value) for a catalog team: accents dropped, lower-case, runs of characters other
 * than `a-z 0-9 . - : /` become one `_` (as Datadog converts tags), no `_` at either end, no trailing `:` (a tag
 * cannot end with one).
 * `Platform Eng` → `platform_eng`, `payments` → `payments`.
 */
export function teamHandle(team: string): string {
  const handle = team
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '') // `é` → `e`: handles are ASCII, and a dropped letter is worse than its accent
    .toLowerCase()
    .replace(/[^a-z0-9._\-:/]+/g, '_')
    .replace(/_+/g, '_')
    .slice(0, MAX_HANDLE)
    .replace(/^_+|[_:]+$/g, '');
  return handle === '' ? 'unnamed' : handle;
}

/** `team:<handle>` for monitors, SLOs and dashboards (the only tag dashboards accept). */
export function teamTag(team: string): string {
  return `team:${teamHandle(team)}`;
}
