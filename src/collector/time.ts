/** `--from/--to` values: relative (`15m`, `1h`, `90s`, `2d` before now), `now`, or an ISO 8601 timestamp. */
import { UserError } from '../errors';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseTime(option: string, value: string, nowMs: number): number {
  const v = value.trim();
  if (v === 'now') return nowMs;
  const rel = /^(\d+)\s*([smhd])$/.exec(v);
  if (rel) return nowMs - Number(rel[1]) * UNIT_MS[rel[2]];
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  throw new UserError(
    `${option}: ${JSON.stringify(value)} is not a time (use a duration before now like 15m, 1h, 2d, or an ISO timestamp like 2026-11-28T12:00:00Z)`,
  );
}
