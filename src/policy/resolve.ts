/**
 * Validated policy document + catalog → one `ServicePolicy` per catalog service. Pure.
 *
 * Layers, least to most specific: built-in defaults < `defaults` < `tiers.<tier>` < `teams.<team>` <
 * `services.<service>`. A value set by a more specific layer wins; objects (`orphanRate`, `tagCoverage`, `slo`) are
 * merged per key; `notify` lists are merged (union, sorted); `requiredTags` is replaced, `extraRequiredTags` adds to
 * it. Names in the policy must exist in the catalog, and thresholds must still be in order after merging.
 */
import { Catalog, Service } from '../catalog/model';
import { compareStrings, formatProblem } from '../catalog/problems';
import { UserErrors } from '../errors';
import { didYouMean, formatProblems, PathSegment, PolicyDocument, Problem, show } from './document';
import {
  BackendConfig,
  Policy,
  PolicyLayer,
  ServicePolicy,
  SloSettings,
  SloTimeframe,
  StackGrouping,
  TagRule,
} from './model';
import { IntegrationMaps, IntegrationNames, PolicyHandle, resolveRouting } from './routing';
import { BUILTIN_DEFAULTS, BUILTIN_TIER_PRIORITY, PolicyLayerFile, TOP_LEVEL_DEFAULTS } from './schema';

import { stackName, UNOWNED_TEAM } from './stacks';
import { teamHandle, teamTag } from './teams';
import { compareTiers, normalizeTier, TierIndex, TierMatch } from './tiers';

interface Layer {
  readonly name: PolicyLayer;
  /** Where the layer is in the file (`['tiers', '1']`); empty for the built-in layer. */
  readonly path: readonly PathSegment[];
  readonly data: PolicyLayerFile;
}

const BUILTIN: Layer = { name: 'builtin', path: [], data: BUILTIN_DEFAULTS as unknown as PolicyLayerFile };

/**
 * Names found in catalog definitions that were left out as invalid (`synth --skip-invalid`): the policy may name
 * them without being wrong, as their definition will be back once fixed.
 */
export interface SkippedNames {
  readonly services: ReadonlySet<string>;
  readonly teams: ReadonlySet<string>;
  /** As written; compared after normalizeTier. */
  readonly tiers: ReadonlySet<string>;
}

export interface ResolveOptions {
  /** Names configured in Datadog's integrations, when the catalog snapshot recorded them (`catalog pull --integrations`). */
  readonly integrationNames?: IntegrationNames;
  /** Definitions left out as invalid (`--skip-invalid`). */
  readonly skipped?: SkippedNames;
}

export function resolvePolicy(doc: PolicyDocument, catalog: Catalog, options: ResolveOptions = {}): Policy {
  const skipped = options.skipped;
  const data = doc.data;
  const problems: Problem[] = [...catalogNameProblems(doc, catalog, skipped)];

  const tierIndex = new TierIndex(data.tiers);
  const urgent = mostUrgentTierPriority(data);
  const integrations: IntegrationMaps = data.integrations ?? {};

  const by: StackGrouping = data.stacks?.by ?? TOP_LEVEL_DEFAULTS.stacksBy;
  const envs = data.envs ?? [...TOP_LEVEL_DEFAULTS.envs];
  const orderProblems = new Map<string, { problem: Problem; services: string[] }>();

  const services = [...catalog.services]
    .sort((a, b) => compareStrings(a.name, b.name))
    .map((service) => {
      const team = service.team ?? UNOWNED_TEAM;
      const layers: Layer[] = [BUILTIN];
      if (data.defaults) layers.push({ name: 'defaults', path: ['defaults'], data: data.defaults });
      const tierMatch = service.tier === undefined ? undefined : tierIndex.match(service.tier);
      if (tierMatch) layers.push(...tierLayers(tierMatch, data, urgent));
      const teamLayer = own(data.teams, team);
      if (teamLayer) layers.push({ name: `teams.${team}`, path: ['teams', team], data: teamLayer });
      const serviceLayer = own(data.services, service.name);
      if (serviceLayer)
        layers.push({ name: `services.${service.name}`, path: ['services', service.name], data: serviceLayer });

      const resolved = resolveService(service, team, layers, by, envs, tierMatch, {
        integrations,
        pulled: options.integrationNames,
      });
      for (const p of thresholdOrderProblems(resolved, layers)) {
        const entry = orderProblems.get(p.message) ?? { problem: p, services: [] };
        entry.services.push(service.name);
        orderProblems.set(p.message, entry);
      }
      return resolved;
    });

  for (const { problem, services: names } of orderProblems.values())
    problems.push({ ...problem, message: `${problem.message} (for ${names.join(', ')})` });
  const collisions = nameCollisions(services, catalog, by);
  if (problems.length || collisions.length)
    throw new UserErrors([...formatProblems(doc.file, doc.positions, problems), ...collisions]);

  const require = data.requireRoute;
  return {
    file: doc.file,
    catalog: data.catalog,
    site: data.site ?? TOP_LEVEL_DEFAULTS.site,
    envs,
    stacks: { by, backend: (data.stacks?.backend as BackendConfig | undefined) ?? { type: 'local' } },
    entrypoints: [...(data.entrypoints ?? [])].sort(),
    validateMonitors: data.validateMonitors ?? TOP_LEVEL_DEFAULTS.validateMonitors,
    maxRemovalRatio: data.maxRemovalRatio ?? TOP_LEVEL_DEFAULTS.maxRemovalRatio,
    integrations,
    ...(require
      ? {
          requireRoute: {
            ...(require.tiers ? { tiers: [...new Set(require.tiers.map((t) => tierIndex.match(t).tier))] } : {}),
            on: [...require.on],
          },
        }
      : {}),
    ...(data.simulate?.scenarios !== undefined ? { simulationScenarios: data.simulate.scenarios } : {}),
    services,
    warnings: tierWarnings(services),
  };
}

/**
 * The layers a tier contributes, least specific first: the built-in priority of tiers 1, 2, 3, then the policy's
 * rule. A tier with neither a built-in nor a policy priority ranks with the most urgent tier rather than below
 * the known ones (a catalog's "0" or "critical" is more likely its most important tier than its least).
 */
function tierLayers(m: TierMatch, data: PolicyDocument['data'], urgent: number): Layer[] {
  const out: Layer[] = [];
  if (m.builtinPriority !== undefined)
    out.push({
      name: `builtin.tiers.${m.tier}`,
      path: [],
      data: { priority: m.builtinPriority } as PolicyLayerFile,
    });
  const rule = m.key === undefined ? undefined : own(data.tiers, m.key);
  if (m.builtinPriority === undefined && rule?.priority === undefined)
    out.push({ name: 'unranked-tier', path: [], data: { priority: urgent } as PolicyLayerFile });
  if (rule && m.key !== undefined) out.push({ name: `tiers.${m.key}`, path: ['tiers', m.key], data: rule });
  return out;
}

/** The smallest (most urgent) priority any tier rule gives: built-in tiers 1, 2, 3 and the policy's `tiers`. */
function mostUrgentTierPriority(data: PolicyDocument['data']): number {
  const index = new TierIndex(data.tiers);
  const byTier = new Map<string, number>(Object.entries(BUILTIN_TIER_PRIORITY));
  for (const [key, rule] of Object.entries(data.tiers ?? {}))
    if (rule.priority !== undefined) byTier.set(index.match(key).tier, rule.priority);
  return Math.min(...byTier.values());
}

/**
 * One warning per catalog tier no rule covers (thresholds from defaults, priority of the most urgent tier), and per
 * policy tier rule without a priority, listing the services.
 */
function tierWarnings(services: readonly ServicePolicy[]): string[] {
  const uncovered = new Map<string, { tier: string; services: string[]; priority?: number }>();
  const unranked = new Map<string, { key: string; services: string[]; priority: number }>();
  for (const p of services) {
    const m = p.tierMatch;
    if (!m || p.tier === undefined) continue;
    const rankedHere = p.origin.priority === 'unranked-tier';
    if (m.key === undefined && m.builtinPriority === undefined) {
      const w = uncovered.get(m.tier) ?? { tier: p.tier, services: [] };
      w.services.push(p.service);
      if (rankedHere) w.priority = p.priority;
      uncovered.set(m.tier, w);
    } else if (m.key !== undefined && rankedHere) {
      const w = unranked.get(m.key) ?? { key: m.key, services: [], priority: p.priority };
      w.services.push(p.service);
      unranked.set(m.key, w);
    }
  }
  const out: string[] = [];
  for (const w of uncovered.values())
    out.push(
      `tier ${JSON.stringify(w.tier)} (${w.services.join(', ')}): no tiers rule covers it, so its thresholds come ` +
        'from defaults' +
        (w.priority === undefined ? '' : ` and it ranks P${w.priority} like the most urgent tier`) +
        `; add tiers.${JSON.stringify(w.tier)} with a priority, or list ${JSON.stringify(w.tier)} in a tier's aliases`,
    );
  for (const w of unranked.values())
    out.push(
      `tier ${JSON.stringify(w.key)} (${w.services.join(', ')}): tiers.${w.key} sets no priority, so it ranks ` +
        `P${w.priority} like the most urgent tier; set tiers.${w.key}.priority`,
    );
  return out;
}

/** `map[key]` only if the file set it (a service named `constructor` must not find Object.prototype's). */
function own<T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return map !== undefined && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

function resolveService(
  service: Service,
  team: string,
  layers: readonly Layer[],
  by: StackGrouping,
  envs: readonly string[],
  tierMatch: TierMatch | undefined,
  maps: { readonly integrations: IntegrationMaps; readonly pulled?: IntegrationNames },
): ServicePolicy {
  const origin: Record<string, PolicyLayer> = {};
  function pick<T>(key: string, get: (l: PolicyLayerFile) => T | undefined): T {
    for (let i = layers.length - 1; i >= 0; i--) {
      const v = get(layers[i].data);
      if (v !== undefined) {
        origin[key] = layers[i].name;
        return v;
      }
    }
    throw new Error(`built-in default missing for ${key}`); // unreachable: BUILTIN sets every key
  }

  const enabled = pick('enabled', (l) => l.enabled);
  const orphanRate = {
    warning: pick('orphanRate.warning', (l) => l.orphanRate?.warning),
    critical: pick('orphanRate.critical', (l) => l.orphanRate?.critical),
  };
  const tagCoverage = {
    warning: pick('tagCoverage.warning', (l) => l.tagCoverage?.warning),
    critical: pick('tagCoverage.critical', (l) => l.tagCoverage?.critical),
  };
  const minSpans = pick('minSpans', (l) => l.minSpans);
  const window = pick('window', (l) => l.window);
  const slo: SloSettings = {
    timeframe: pick('slo.timeframe', (l) => l.slo?.timeframe) as SloTimeframe,
    target: pick('slo.target', (l) => l.slo?.target),
    warning: pick('slo.warning', (l) => l.slo?.warning),
  };

  // requiredTags: the most specific list replaces, extraRequiredTags add (same tag+scope: the later layer wins).
  let tags: { rule: TagRule; from: PolicyLayer }[] = [];
  for (const l of layers) {
    if (l.data.requiredTags) {
      tags = l.data.requiredTags.map((r) => ({ rule: tagRule(r), from: l.name }));
      origin.requiredTags = l.name;
    }
    for (const r of l.data.extraRequiredTags ?? []) {
      const rule = tagRule(r);
      const at = tags.findIndex((t) => t.rule.tag === rule.tag && t.rule.scope === rule.scope);
      if (at >= 0) tags[at] = { rule, from: l.name };
      else tags.push({ rule, from: l.name });
    }
  }
  tags.forEach((t, i) => (origin[`requiredTags[${i}]`] = t.from));

  // notify: union over all layers; each handle is credited to the least specific layer that lists it, and every
  // layer that lists it is a source of its route (the most specific `on` wins).
  const handles = new Map<string, PolicyLayer>();
  const entries: PolicyHandle[] = [];
  for (const l of layers) {
    if (l.data.notify === undefined) continue;
    origin.notify = l.name;
    for (const raw of l.data.notify) {
      const entry = typeof raw === 'string' ? { handle: raw } : raw;
      if (!handles.has(entry.handle)) handles.set(entry.handle, l.name);
      entries.push({ handle: entry.handle, layer: l.name, ...(entry.on ? { on: entry.on } : {}) });
    }
  }
  const notify = [...handles.keys()].sort(compareStrings);
  notify.forEach((h, i) => (origin[`notify[${i}]`] = handles.get(h) as PolicyLayer));
  const priority = pick('priority', (l) => l.priority);

  return {
    service: service.name,
    team,
    ...(service.tier === undefined ? {} : { tier: service.tier }),
    ...(tierMatch === undefined ? {} : { tierMatch }),
    enabled,
    stack: stackName(by, { name: service.name, team }),
    envs: [...envs],
    requiredTags: tags.map((t) => t.rule),
    orphanRate,
    tagCoverage,
    minSpans,
    window,
    slo,
    notify,
    routing: resolveRouting({ notify: entries, ...maps, service }),
    priority,
    origin,
  };
}

function tagRule(r: { tag: string; scope?: string; slo?: boolean }): TagRule {
  return { tag: r.tag, scope: r.scope ?? '*', slo: r.slo ?? false };
}

/** Merging per key can put values from different layers out of order; report at the more specific layer. */
function thresholdOrderProblems(p: ServicePolicy, layers: readonly Layer[]): Problem[] {
  const checks: [string, string, string, boolean, string][] = [
    ['orphanRate', 'warning', 'critical', p.orphanRate.warning < p.orphanRate.critical, 'below'],
    ['tagCoverage', 'warning', 'critical', p.tagCoverage.warning > p.tagCoverage.critical, 'above'],
    ['slo', 'warning', 'target', p.slo.warning > p.slo.target, 'above'],
  ];
  const out: Problem[] = [];
  const values: Record<string, number> = {
    'orphanRate.warning': p.orphanRate.warning,
    'orphanRate.critical': p.orphanRate.critical,
    'tagCoverage.warning': p.tagCoverage.warning,
    'tagCoverage.critical': p.tagCoverage.critical,
    'slo.warning': p.slo.warning,
    'slo.target': p.slo.target,
  };
  const rank = (name: PolicyLayer) => layers.findIndex((l) => l.name === name);
  for (const [group, a, b, ok, relation] of checks) {
    if (ok) continue;
    const ka = `${group}.${a}`;
    const kb = `${group}.${b}`;
    const la = p.origin[ka];
    const lb = p.origin[kb];
    if (la === lb) continue; // one layer set both: parsePolicy already reported it
    // Blame the value from the more specific layer; name the other layer in the message.
    const [key, other, layer, otherLayer] = rank(la) > rank(lb) ? [ka, kb, la, lb] : [kb, ka, lb, la];
    const rel = key === ka ? relation : relation === 'below' ? 'above' : 'below';
    const from = otherLayer === 'builtin' ? 'the built-in default' : otherLayer;
    const path = [...(layers[rank(layer)].path as PathSegment[]), group, key.split('.')[1]];
    out.push({
      path,
      message: `${show(values[key])} is not ${rel} ${other} ${show(values[other])} set in ${from}`,
    });
  }
  return out;
}

/** Services, teams and entrypoints named in the policy must exist in the catalog. */
function catalogNameProblems(doc: PolicyDocument, catalog: Catalog, skipped?: SkippedNames): Problem[] {
  const data = doc.data;
  const problems: Problem[] = [];
  const serviceNames = new Set(catalog.services.map((s) => s.name));
  const skippedService = (name: string) => skipped?.services.has(name) ?? false;
  const entityKinds = new Map(catalog.entities.map((e) => [e.name, e.kind]));
  const teams = new Set<string>();
  for (const s of catalog.services) teams.add(s.team ?? UNOWNED_TEAM);
  for (const e of catalog.entities) if (e.owner) teams.add(e.owner);

  const notAService = (name: string): string => {
    const kind = entityKinds.get(name);
    if (kind) return `${JSON.stringify(name)} is a ${kind} in the catalog, not a service`;
    return `${JSON.stringify(name)} is not a service in the catalog${didYouMean(name, serviceNames)}`;
  };

  for (const name of Object.keys(data.services ?? {}))
    if (!serviceNames.has(name) && !skippedService(name))
      problems.push({ path: ['services', name], at: 'key', message: notAService(name) });
  for (const name of Object.keys(data.teams ?? {}))
    if (!teams.has(name) && !skipped?.teams.has(name))
      problems.push({
        path: ['teams', name],
        at: 'key',
        message: `${JSON.stringify(name)} is not a team in the catalog${didYouMean(name, teams)}`,
      });
  (data.entrypoints ?? []).forEach((name, i) => {
    if (!serviceNames.has(name) && !skippedService(name))
      problems.push({ path: ['entrypoints', i], message: notAService(name) });
  });

  // A tier layer no service has is as dead as a misspelled team: `'4'`, or `tier-l` for `tier-1`. Aliases count, and
  // so do the tiers of definitions left out as invalid.
  const index = new TierIndex(data.tiers);
  const catalogTiers = [
    ...catalog.services.flatMap((s) => (s.tier === undefined ? [] : [s.tier])),
    ...(skipped?.tiers ?? []),
  ];
  const used = new Set(catalogTiers.map((t) => index.match(t).tier));
  const tierList = [...new Set(catalogTiers.map(normalizeTier))].sort(compareTiers);
  const known = tierList.length ? `tiers in the catalog: ${tierList.join(', ')}` : 'no catalog service has a tier';
  for (const key of Object.keys(data.tiers ?? {})) {
    if (used.has(index.match(key).tier)) continue;
    problems.push({
      path: ['tiers', key],
      at: 'key',
      message: `no catalog service has tier ${JSON.stringify(key)} (${known})`,
    });
  }
  (data.requireRoute?.tiers ?? []).forEach((tier, i) => {
    if (used.has(index.match(tier).tier)) return;
    problems.push({
      path: ['requireRoute', 'tiers', i],
      message: `no catalog service has tier ${JSON.stringify(tier)} (${known})`,
    });
  });
  return problems;
}

/**
 * Distinct catalog names that would become one name in Datadog or Terraform. Teams `Platform Eng` and
 * `platform_eng` would share the stack `team-platform-eng` (one state, one team's resources destroyed when the
 * other's are planned) and the tag `team:platform_eng`; services `Search_API` and `search-api` would share the stack
 * `service-search-api`. Located at the catalog entry of the second name.
 */
function nameCollisions(services: readonly ServicePolicy[], catalog: Catalog, by: StackGrouping): string[] {
  const sources = new Map(catalog.services.map((s) => [s.name, s.source]));
  const out: string[] = [];
  const report = (names: Map<string, string>, what: string, shared: string, fix: string) => {
    const entries = [...names.entries()];
    const listed = entries.map(([name, service]) =>
      what === 'teams' ? `${JSON.stringify(name)} (service ${service})` : JSON.stringify(name),
    );
    const list = `${listed.slice(0, -1).join(', ')} and ${listed[listed.length - 1]}`;
    const source = sources.get(entries[1][1]);
    const message = `${what} ${list} would share ${shared}; ${fix}`;
    out.push(source ? formatProblem({ ...source, message }) : message);
  };

  // Teams by the tag they become, and (stacks per team) by their stack; one message per group of teams.
  const group = (key: (p: ServicePolicy) => string): Map<string, Map<string, string>> => {
    const groups = new Map<string, Map<string, string>>();
    for (const p of services) {
      const names = groups.get(key(p)) ?? new Map<string, string>();
      if (!names.has(p.team)) names.set(p.team, p.service); // services are sorted: the first one names the team
      groups.set(key(p), names);
    }
    return groups;
  };
  const stackOf = new Map(services.map((p) => [p.team, p.stack]));
  if (by === 'team')
    for (const [stack, names] of group((p) => p.stack)) {
      if (names.size < 2) continue;
      const tags = new Set([...names.keys()].map(teamTag));
      const tag = tags.size === 1 ? ` and the tag ${[...tags][0]}` : '';
      report(
        names,
        'teams',
        `stack ${JSON.stringify(stack)}${tag}`,
        'write the team the same way in every catalog entry',
      );
    }
  for (const [handle, names] of group((p) => teamHandle(p.team))) {
    if (names.size < 2) continue;
    // Already reported with the stack they share.
    if (by === 'team' && new Set([...names.keys()].map((t) => stackOf.get(t))).size === 1) continue;
    report(names, 'teams', `the tag team:${handle}`, 'write the team the same way in every catalog entry');
  }

  if (by === 'service') {
    const stacks = new Map<string, Map<string, string>>();
    for (const p of services) {
      const names = stacks.get(p.stack) ?? new Map<string, string>();
      names.set(p.service, p.service);
      stacks.set(p.stack, names);
    }
    for (const [stack, names] of stacks)
      if (names.size > 1) report(names, 'services', `stack ${JSON.stringify(stack)}`, 'rename one in the catalog');
  }
  return out;
}
