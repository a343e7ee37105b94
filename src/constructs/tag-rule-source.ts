/**
 * Two required tags that cannot live together (same monitor address, same span metric). The pure planners know
 * only the resolved ServicePolicy, whose `origin` names the layer of each `requiredTags[i]`; they throw a
 * TagRuleConflict, and `planApp` — which has the policy document — locates it in the policy file
 * (src/policy/tag-rule-location.ts).
 */
import { UserError } from '../errors';
import type { TagRule } from '../policy/model';
import { describeRule, layerOf, sourceRule, TagRulePair, TagRuleSource } from '../policy/tag-rule-location';

export type { TagRuleSource } from '../policy/tag-rule-location';

/** A tag rule plus, when known, where it comes from (span metrics are planned from every service's rules). */
export type SourcedTagRule = TagRule & { readonly source?: TagRuleSource };

/**
 * Two required tags that cannot both exist. `problem` completes "… and … <problem>", e.g. "would get the same
 * monitor address (usr-id) in service auth-api; keep one of them". Its own message (without the policy
 * document) names the services, the tags and their policy layers.
 */
export class TagRuleConflict extends UserError implements TagRulePair {
  constructor(
    readonly first: TagRuleSource,
    readonly second: TagRuleSource,
    readonly problem: string,
  ) {
    const withScope = sourceRule(first).tag === sourceRule(second).tag;
    const tag = (s: TagRuleSource) =>
      `${describeRule(sourceRule(s), withScope)} (from ${layerOf(s) === 'builtin' ? 'the built-in default' : layerOf(s)})`;
    super(
      first.policy.service === second.policy.service
        ? `service ${first.policy.service}: required tags ${tag(first)} and ${tag(second)} ${problem}`
        : `required tag ${tag(first)} of service ${first.policy.service} and ${tag(second)} of service ` +
            `${second.policy.service} ${problem}`,
    );
    this.name = 'TagRuleConflict';
  }
}
