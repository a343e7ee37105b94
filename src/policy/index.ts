/** Policy: `trace-health.yaml` → validated document → one resolved `ServicePolicy` per catalog service. */
export * from './model';
export type { PolicyDocument, NodePositions, Position } from './document';
export { pathString } from './document';
export type { PolicyFile, PolicyLayerFile } from './schema';
export {
  PolicyFileSchema,
  policyJsonSchema,
  BUILTIN_DEFAULTS,
  TOP_LEVEL_DEFAULTS,
  BACKEND_DEFAULTS,
  WINDOWS,
  SLO_TIMEFRAMES,
  BUILTIN_TIER_PRIORITY,
} from './schema';
export { parsePolicy } from './parse';
export { resolvePolicy } from './resolve';
export type { LoadPolicyOptions, PolicyCatalogPathOptions } from './load';
export { loadPolicy, policyCatalogArg, policyCatalogPath, DEFAULT_POLICY_FILE } from './load';
export { CORE_STACK, SINGLE_STACK, UNOWNED_TEAM, backendForStack, sanitizeStackPart, stackName } from './stacks';
export { teamHandle, teamTag } from './teams';
export { normalizeTier, TierIndex } from './tiers';
export type { TierMatch } from './tiers';
export * from './routing';
export type { ExplainRow, ServiceExplanation } from './explain';
export { explainService, formatExplain } from './explain';
