/**
 * `--from/--to` values: relative (`15m`, `1h`, `90s`, `2d` before now), `now`, or an ISO 8601 timestamp with a
 * zone (`Z` or `+01:00`). A time without a zone is refused rather than read in the machine's local time zone, and
 * an impossible date (`2026-02-30`) is refused rather than rolled over into March.
 */
import { UserError } from '../errors';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Spans are kept 15 days at most; a year is a generous bound that keeps every time printable. */
const MAX_AGE_MS = 366 * UNIT_MS.d;
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export function parseTime(option: string, value: string, nowMs: number): number {
  const v = value.trim();
  const bad = (why: string) =>
    new UserError(
      `${option}: ${JSON.stringify(value)} is not a time (${why}; use a duration before now like 15m, 1h, 2d, or an ISO timestamp like 2026-11-28T12:00:00Z)`,
    );
  if (v === 'now') return nowMs;
  const rel = /^(\d+)\s*([smhd])$/.exec(v);
  if (rel) {
    const ago = Number(rel[1]) * UNIT_MS[rel[2]];
    if (ago > MAX_AGE_MS) throw bad('more than a year ago');
    return nowMs - ago;
  }
  const iso = ISO.exec(v);
  if (!iso) throw bad(/^-/.test(v) ? 'durations count back from now, without a sign' : 'not a duration or ISO time');
  if (!iso[7]) throw bad('no time zone: add Z for UTC, or an offset like +01:00');
  const t = Date.parse(v);
  const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (
    !Number.isFinite(t) ||
    calendar.getUTCFullYear() !== year ||
    calendar.getUTCMonth() !== month - 1 ||
    calendar.getUTCDate() !== day
  )
    throw bad('no such date or time of day');
  if (t < nowMs - MAX_AGE_MS) throw bad('more than a year ago');
  return t;
}

export interface Window {
  readonly from: number;
  readonly to: number;
}

/**
 * The live window from `--from` and `--to` (default now). A window that ends in the future or does not start before
 * it ends is a usage error naming both values: it would otherwise look like an empty, already processed window.
 */
export function parseWindow(fromValue: string, toValue: string | undefined, nowMs: number): Window {
  const from = parseTime('--from', fromValue, nowMs);
  const to = toValue === undefined ? nowMs : parseTime('--to', toValue, nowMs);
  const iso = (ms: number) => new Date(ms).toISOString();
  const shown = (option: string, value: string, ms: number) => `${option} ${JSON.stringify(value)} (${iso(ms)})`;
  if (toValue !== undefined && to > nowMs)
    throw new UserError(
      `${shown('--to', toValue, to)} is in the future (now is ${iso(nowMs)}): the window can end at the latest now`,
    );
  if (from >= to)
    throw new UserError(
      `${shown('--from', fromValue, from)} is not before ${toValue === undefined ? `--to (default now, ${iso(to)})` : shown('--to', toValue, to)}: ` +
        `the window must start before it ends (durations count back from now: --from 2h --to 1h)`,
    );
  return { from, to };
}

const DURATION_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration option (`--interval 60s`, `--horizon 10m`): a whole number with ms, s, m or h. */
export function parseDuration(option: string, value: string, minMs: number): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(value.trim());
  if (!m)
    throw new UserError(
      `${option}: ${JSON.stringify(value)} is not a duration (a whole number with ms, s, m or h: 60s, 10m)`,
    );
  const ms = Number(m[1]) * DURATION_MS[m[2]];
  if (ms < minMs) throw new UserError(`${option}: ${JSON.stringify(value)} is shorter than ${minMs / 1000} s`);
  return ms;
}
