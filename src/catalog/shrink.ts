/**
 * The shrink guard. A catalog that suddenly loses services is far more often an API hiccup, a wrong key scope
 * or a half-read page than a real mass decommission — and every service that disappears from the catalog takes
 * its monitors, SLOs and dashboard with it on the next apply. So `catalog pull` (against the previous snapshot)
 * and `synth` (against the committed review manifest) refuse to drop more than `Policy.maxRemovalRatio` of the
 * known services unless the user says so explicitly.
 *
 * Pure: no I/O, so both callers share one rule and one message.
 */
import { compareStrings } from './problems';

export interface ShrinkCheck {
  /** Services known before and absent now, sorted, de-duplicated. */
  readonly removed: readonly string[];
  /** `removed.length / previous.length` (distinct names); 0 when nothing was known before. */
  readonly ratio: number;
  /** True when `ratio` is strictly greater than the allowed ratio. */
  readonly exceeded: boolean;
}

/** The default for `Policy.maxRemovalRatio`: more than 10% of the known services gone needs an override. */
export const DEFAULT_MAX_REMOVAL_RATIO = 0.1;

/**
 * Compare the services known before with the services found now. Dropping exactly `maxRatio` is allowed; more
 * is not. An empty `previous` (first pull, no manifest yet) never trips the guard.
 */
export function checkShrink(previous: readonly string[], current: readonly string[], maxRatio: number): ShrinkCheck {
  if (!(maxRatio >= 0 && maxRatio <= 1)) throw new RangeError(`maxRatio must be between 0 and 1, got ${maxRatio}`);
  const known = new Set(previous);
  const now = new Set(current);
  const removed = [...known].filter((name) => !now.has(name)).sort(compareStrings);
  const ratio = known.size === 0 ? 0 : removed.length / known.size;
  // Compare counts rather than floats so that 1 of 10 at 0.1 is "exactly the limit", whatever rounding says.
  const exceeded = removed.length > maxRatio * known.size + 1e-9;
  return { removed, ratio, exceeded };
}

export interface ShrinkMessageOptions {
  /** What the services were compared against, e.g. `catalog/snapshot.json` or `the review manifest`. */
  readonly against: string;
  /** Total distinct services known before (for "3 of 14"). */
  readonly previousCount: number;
  readonly maxRatio: number;
  /** The flag that overrides the guard, e.g. `--allow-removals`. */
  readonly override: string;
  /** What did not happen, e.g. `Nothing was written.` */
  readonly consequence: string;
  /** Services whose definition is invalid and was skipped (`--skip-invalid`): named as such in the list. */
  readonly skipped?: ReadonlySet<string>;
}

/**
 * The message for a tripped guard: how many, which ones (all of them — the user has to check each), what was not
 * done, and how to proceed if the removals are real.
 */
export function formatShrink(check: ShrinkCheck, opts: ShrinkMessageOptions): string {
  const n = check.removed.length;
  return [
    `the catalog lost ${n} of the ${opts.previousCount} services in ${opts.against} ` +
      `(${percent(check.ratio)}, more than the ${percent(opts.maxRatio)} allowed by maxRemovalRatio): ` +
      `${check.removed.map((name) => (opts.skipped?.has(name) ? `${name} (invalid definition, skipped)` : name)).join(', ')}.`,
    `${opts.consequence} If ${n === 1 ? 'this service was' : 'these services were'} really removed, ` +
      `run again with ${opts.override}; if not, the catalog read was incomplete (API errors, key scope, filters).`,
  ].join('\n');
}

function percent(ratio: number): string {
  const p = Math.round(ratio * 1000) / 10;
  return `${p}%`;
}
