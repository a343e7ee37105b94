/**
 * Where a service's required tag was written in the policy file, for errors about two tags that cannot live
 * together (same monitor address, same span metric). The pure planners know only the resolved ServicePolicy,
 * whose `origin` names the layer of each `requiredTags[i]`; they throw a TagRuleConflict
 * (src/constructs/tag-rule-source.ts), and `planApp` — which has the policy document — turns it into
 * `file:line:col: services.x.extraRequiredTags[0]: …` here.
 */
import { UserError } from '../errors';
import { locate, pathString, PathSegment, PolicyDocument } from './document';
import type { ServicePolicy, TagRule } from './model';

/** One required tag of one service: `policy.requiredTags[index]`. */
export interface TagRuleSource {
  readonly policy: ServicePolicy;
  readonly index: number;
}

/** Two required tags that cannot both exist; `problem` completes "… and … <problem>". */
export interface TagRulePair {
  readonly first: TagRuleSource;
  readonly second: TagRuleSource;
  readonly problem: string;
}

export function sourceRule(s: TagRuleSource): TagRule {
  return s.policy.requiredTags[s.index];
}

/** `"usr.id"`, or `"usr.id" (scope "status:error")` when the scope matters to tell two rules apart. */
export function describeRule(r: TagRule, withScope: boolean): string {
  return withScope ? `${JSON.stringify(r.tag)} (scope ${JSON.stringify(r.scope)})` : JSON.stringify(r.tag);
}

export function layerOf(s: TagRuleSource): string {
  return s.policy.origin[`requiredTags[${s.index}]`] ?? 'builtin';
}

type Located = { readonly path?: readonly PathSegment[]; readonly layer: string };

/** The key path of the list entry that put `requiredTags[index]` into the service's policy. */
function keyPath(doc: PolicyDocument, s: TagRuleSource): Located {
  const layer = layerOf(s);
  if (layer === 'builtin') return { layer };
  // `defaults`, or `services.<name>` / `teams.<name>` / `tiers.<name>` (the name may hold dots).
  const dot = layer.indexOf('.');
  const layerPath = dot < 0 ? [layer] : [layer.slice(0, dot), layer.slice(dot + 1)];
  const data = (doc.data as unknown as Record<string, Record<string, unknown> | undefined>)[layerPath[0]];
  const layerData = (layerPath.length === 1 ? data : data?.[layerPath[1]]) as Record<string, unknown> | undefined;
  const r = sourceRule(s);
  // Resolution applies a layer's requiredTags, then its extraRequiredTags (which win for the same tag and scope).
  for (const key of ['extraRequiredTags', 'requiredTags']) {
    const list = layerData?.[key];
    if (!Array.isArray(list)) continue;
    const at = list.findIndex(
      (e: { tag?: unknown; scope?: unknown }) => e?.tag === r.tag && (e.scope ?? '*') === r.scope,
    );
    if (at >= 0) return { path: [...layerPath, key, at], layer };
  }
  return { path: layerPath, layer };
}

/** The conflict located in the policy file: `trace-health.yaml:44:9: services.billing.extraRequiredTags[0]: …`. */
export function locateTagRuleConflict(conflict: TagRulePair, doc: PolicyDocument): UserError {
  const sides = [conflict.first, conflict.second].map((s) => ({ s, at: keyPath(doc, s) }));
  const pos = (p?: readonly PathSegment[]) => (p ? locate(doc.positions, p, 'value') : undefined);
  // Report at the later of the two entries (usually the one just added), naming the other.
  sides.sort((a, b) => {
    const pa = pos(a.at.path);
    const pb = pos(b.at.path);
    return (pa ? pa.line * 1e6 + pa.col : -1) - (pb ? pb.line * 1e6 + pb.col : -1);
  });
  const [other, here] = sides;
  const withScope = sourceRule(here.s).tag === sourceRule(other.s).tag;
  const service = (s: TagRuleSource) => `service ${s.policy.service}`;
  const where = (x: (typeof sides)[number]) =>
    x.at.path ? pathString(x.at.path) : `the built-in default requiredTags`;
  const otherPos = pos(other.at.path);
  const otherText =
    `${describeRule(sourceRule(other.s), withScope)} at ${where(other)}` +
    `${otherPos ? ` (line ${otherPos.line})` : ''}` +
    (other.s.policy.service === here.s.policy.service ? '' : ` for ${service(other.s)}`);
  const herePos = pos(here.at.path) ?? { line: 1, col: 1 };
  return new UserError(
    `${doc.file}:${herePos.line}:${herePos.col}: ${where(here)}: required tag ${describeRule(sourceRule(here.s), withScope)} ` +
      `of ${service(here.s)} and ${otherText} ${conflict.problem}`,
  );
}
