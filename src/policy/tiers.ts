/**
 * Catalog tiers. The catalog stores the tier as free text ("1", "tier-1", "0", "p1", "critical", "three"); the
 * spellings "1", "tier1", "tier-1", "Tier 1" are the same tier (so are "tier_1" and "TIER1"), and a policy `tiers`
 * rule may list other spellings as `aliases`. A tier is matched to at most one rule: the policy's own, else the
 * built-in one of tiers 1, 2, 3 (priority only).
 */
import { compareStrings } from '../catalog/problems';
import { BUILTIN_TIER_PRIORITY } from './schema';

/** `"tier-1"` → `"1"`; other strings (`"critical"`) are only trimmed and lower-cased. */
export function normalizeTier(tier: string): string {
  const t = tier.trim().toLowerCase();
  const m = /^tier[\s_-]*(.+)$/.exec(t);
  return m ? m[1] : t;
}

/** Which rule a catalog tier falls under. */
export interface TierMatch {
  /** The tier the rule is for, normalized (`"1"` for a catalog `"0"` listed in `tiers.1.aliases`). */
  readonly tier: string;
  /** The policy's `tiers` key, when the policy has a rule for it. */
  readonly key?: string;
  /** The built-in priority of `tier`, if it has one. */
  readonly builtinPriority?: number;
}

/** Policy `tiers` keys and their aliases, by normalized spelling. */
export class TierIndex {
  private readonly byName = new Map<string, string>();

  constructor(tiers: Readonly<Record<string, { readonly aliases?: readonly string[] }>> | undefined) {
    for (const [key, rule] of Object.entries(tiers ?? {})) {
      this.byName.set(normalizeTier(key), key);
      for (const alias of rule.aliases ?? [])
        if (!this.byName.has(normalizeTier(alias))) this.byName.set(normalizeTier(alias), key);
    }
  }

  match(catalogTier: string): TierMatch {
    const key = this.byName.get(normalizeTier(catalogTier));
    const tier = normalizeTier(key ?? catalogTier);
    const builtinPriority = Object.prototype.hasOwnProperty.call(BUILTIN_TIER_PRIORITY, tier)
      ? BUILTIN_TIER_PRIORITY[tier]
      : undefined;
    return {
      tier,
      ...(key === undefined ? {} : { key }),
      ...(builtinPriority === undefined ? {} : { builtinPriority }),
    };
  }
}

/** `1 < 2 < 10 < critical`: numeric tiers by number, then the others by text. */
export function compareTiers(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : NaN;
  const nb = /^\d+$/.test(b) ? Number(b) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb || compareStrings(a, b);
  if (!Number.isNaN(na)) return -1;
  if (!Number.isNaN(nb)) return 1;
  return compareStrings(a, b);
}
