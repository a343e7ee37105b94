/**
 * Deploy markers, decided: which (service, env, version) of an analysis are new, given the versions the state file
 * remembers. Pure; `live.ts` saves the result together with the metric submission and posts the events
 * (src/datadog/deploy-events.ts defines them and the dashboards' overlay query).
 *
 * - The first run with a state file (no `versions` yet) records what it sees as the baseline and posts nothing:
 *   versions already running when the collector started are no deploys.
 * - A version is remembered for 30 days after it was last seen, so the state file stays small however often
 *   services deploy; a version that comes back after that gets a new marker (it is a deploy again).
 * - Spans without a version mark nothing (there is no version to name); spans without an env give a marker
 *   without an `env` tag.
 */
import { compareStrings } from '../catalog/problems';
import type { VersionFirstSeen } from '../datadog/deploy-events';
import type { Analysis } from './analyze';

/** service → env (`''` when the spans had none) → version → last seen (ISO). */
export type VersionsSeen = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;

export const VERSION_MEMORY_MS = 30 * 24 * 60 * 60 * 1000;
const NO_ENV = '';

/** Every (service, env, version) with counted spans in the analysis, with its earliest span; sorted. */
export function versionsIn(a: Analysis): VersionFirstSeen[] {
  const out: VersionFirstSeen[] = [];
  for (const [service, acc] of a.services)
    for (const g of acc.groups.values()) {
      if (g.version === undefined || g.spans === 0) continue;
      out.push({
        service,
        ...(g.env !== undefined ? { env: g.env } : {}),
        version: g.version,
        firstSeen: new Date(g.firstStart).toISOString(),
      });
    }
  const key = (v: VersionFirstSeen) => `${v.service}\u0000${v.env ?? NO_ENV}\u0000${v.version}`;
  return out.sort((x, y) => compareStrings(key(x), key(y)));
}

export interface MarkerDecision {
  /** What the state file remembers after this window (undefined: still no baseline, nothing seen yet). */
  readonly versions: VersionsSeen | undefined;
  /** Markers to post, in `versionsIn` order. */
  readonly events: readonly VersionFirstSeen[];
  /** Versions recorded as the baseline (first run with a state file), 0 otherwise. */
  readonly baseline: number;
}

/** The markers for the versions `seen` in the window ending at `windowEndMs`, and what to remember. */
export function decideMarkers(
  previous: VersionsSeen | undefined,
  seen: readonly VersionFirstSeen[],
  windowEndMs: number,
): MarkerDecision {
  if (previous === undefined && seen.length === 0) return { versions: undefined, events: [], baseline: 0 };
  const lastSeen = new Date(windowEndMs).toISOString();
  const forgetBefore = windowEndMs - VERSION_MEMORY_MS;
  const next = new Map<string, Map<string, Map<string, string>>>();
  const remember = (service: string, env: string, version: string, at: string) => {
    let envs = next.get(service);
    if (!envs) next.set(service, (envs = new Map()));
    let versions = envs.get(env);
    if (!versions) envs.set(env, (versions = new Map()));
    versions.set(version, at);
  };
  for (const [service, envs] of Object.entries(previous ?? {}))
    for (const [env, versions] of Object.entries(envs))
      for (const [version, at] of Object.entries(versions))
        if (Date.parse(at) >= forgetBefore) remember(service, env, version, at);
  const events: VersionFirstSeen[] = [];
  for (const v of seen) {
    const env = v.env ?? NO_ENV;
    if (previous !== undefined && !next.get(v.service)?.get(env)?.has(v.version)) events.push(v);
    remember(v.service, env, v.version, lastSeen);
  }
  return { versions: sortedRecord(next), events, baseline: previous === undefined ? seen.length : 0 };
}

/** Nested maps → records with sorted keys, so the state file is the same bytes for the same history. */
function sortedRecord(m: Map<string, Map<string, Map<string, string>>>): VersionsSeen {
  const sorted = <V>(x: Map<string, V>) => [...x.entries()].sort(([a], [b]) => compareStrings(a, b));
  return Object.fromEntries(
    sorted(m).map(([service, envs]) => [
      service,
      Object.fromEntries(sorted(envs).map(([env, versions]) => [env, Object.fromEntries(sorted(versions))])),
    ]),
  );
}

/** `web-gateway 5.2.0 (prod)`, for messages. */
export function markerLabel(v: Pick<VersionFirstSeen, 'service' | 'env' | 'version'>): string {
  return `${v.service} ${v.version}${v.env !== undefined ? ` (${v.env})` : ''}`;
}
