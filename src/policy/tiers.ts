/**
 * Catalog tiers. The catalog stores the tier as a free string; policy `tiers` keys match it as written, and the
 * spellings "1", "tier1", "tier-1", "Tier 1" are the same tier (so are "tier_1" and "TIER1").
 */

/** `"tier-1"` → `"1"`; other strings (`"critical"`) are only trimmed and lower-cased. */
export function normalizeTier(tier: string): string {
  const t = tier.trim().toLowerCase();
  const m = /^tier[\s_-]*(.+)$/.exec(t);
  return m ? m[1] : t;
}

/**
 * Monitor priority (1 = highest … 5) by normalized tier. The one place that maps tiers to priorities: tier 1 → P1,
 * tier 2 → P2, tier 3 → P3; a service without a tier, or with a tier not listed here, gets `UNTIERED_PRIORITY`.
 */
export const TIER_PRIORITY: Readonly<Record<string, number>> = { '1': 1, '2': 2, '3': 3 };
export const UNTIERED_PRIORITY = 3;

export function priorityForTier(tier: string | undefined): number {
  if (tier === undefined) return UNTIERED_PRIORITY;
  return TIER_PRIORITY[normalizeTier(tier)] ?? UNTIERED_PRIORITY;
}
