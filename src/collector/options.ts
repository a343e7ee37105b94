/** Resolved policy + catalog → the collector's AnalyzeOptions (which services are internal, rules, thresholds). */
import type { Catalog } from '../catalog/model';
import type { Policy, TagRule } from '../policy/model';
import type { PolicyDocument } from '../policy/document';
import { BUILTIN_DEFAULTS } from '../policy/schema';
import { unlistedServiceChecks } from '../policy/checks';
import type { AnalyzeOptions, ServiceOptions } from './analyze';

/** The policy's built-in tag rules: with no policy file the collector checks what a default policy would. */
const BUILTIN_RULES: readonly TagRule[] = BUILTIN_DEFAULTS.requiredTags;

/** Services some catalog entry (service or other entity) names in `dependsOn` as `service:<name>`. */
export function dependedOnServices(catalog: Catalog): string[] {
  const out = new Set<string>();
  for (const e of [...catalog.services, ...catalog.entities])
    for (const ref of e.dependsOn) if (ref.startsWith('service:')) out.add(ref.slice('service:'.length));
  return [...out].sort();
}

/** Catalog service → the catalog entries (services or other entities) whose `dependsOn` names it, sorted. */
export function dependents(catalog: Catalog): Record<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const e of [...catalog.services, ...catalog.entities])
    for (const ref of e.dependsOn) {
      if (!ref.startsWith('service:')) continue;
      const target = ref.slice('service:'.length);
      let set = out.get(target);
      if (!set) out.set(target, (set = new Set()));
      set.add(e.name);
    }
  return Object.fromEntries([...out.keys()].sort().map((k) => [k, [...out.get(k)!].sort()]));
}

export function optionsFromPolicy(
  policy: Policy,
  catalog: Catalog,
  doc?: PolicyDocument,
  overrides: { site?: string } = {},
): AnalyzeOptions {
  const services: Record<string, ServiceOptions> = {};
  const runbooks = new Map(catalog.services.map((s) => [s.name, s.runbook]));
  for (const s of policy.services)
    services[s.service] = {
      team: s.team,
      enabled: s.enabled,
      requiredTags: s.requiredTags,
      orphanRate: s.orphanRate,
      tagCoverage: s.tagCoverage,
      checks: s,
      ...(runbooks.get(s.service) ? { runbook: runbooks.get(s.service) } : {}),
    };
  const defaults = doc?.data.defaults?.requiredTags as
    readonly { tag: string; scope?: string; slo?: boolean }[] | undefined;
  return {
    site: overrides.site ?? policy.site,
    services,
    defaultRequiredTags: defaults
      ? defaults.map((r) => ({ tag: r.tag, scope: r.scope ?? '*', slo: r.slo ?? false }))
      : BUILTIN_RULES,
    defaultChecks: unlistedServiceChecks(doc?.data.defaults),
    internalServices: dependedOnServices(catalog),
    dependents: dependents(catalog),
    entrypoints: policy.entrypoints,
    catalogServices: catalog.services.map((s) => s.name),
  };
}

/** Without a policy: built-in rules, links to the given site, everything else learned from the spans. */
export function defaultOptions(site: string): AnalyzeOptions {
  return { site, defaultRequiredTags: BUILTIN_RULES, defaultChecks: unlistedServiceChecks() };
}
