/**
 * `trace-health init`: a commented starter `trace-health.yaml` written from what a team's catalog actually holds —
 * its teams and tier values, a tier layer to fill for every tier string that is not 1, 2 or 3, entrypoints guessed
 * from the `dependsOn` graph (and said to be guesses), and, as comments, the `integrations` map to fill (every
 * catalog id or URL that needs a name, with the services naming it) and what each service's contacts give today
 * (src/policy/routing.ts decides, as synth does). Pure: catalog in, text out, same bytes every time.
 */
import type { Catalog, Service } from '../catalog/model';
import { compareStrings } from '../catalog/problems';
import { DropCause, resolveRouting } from '../policy/routing';
import { BUILTIN_TIER_PRIORITY } from '../policy/schema';
import { stackName, UNOWNED_TEAM } from '../policy/stacks';
import { compareTiers, normalizeTier } from '../policy/tiers';

export interface StarterInput {
  /** The `catalog:` value: the catalog path relative to the policy file's folder. */
  readonly catalogPath: string;
  readonly catalog: Catalog;
  readonly site: string;
  /** Where the site came from, for the comment: `DD_SITE`, `the snapshot`, `the default`. */
  readonly siteFrom: string;
  /** Definitions left out because they are invalid (they are not in `catalog`). */
  readonly invalid: number;
}

/** The layers written for tiers 1–3 (the ones monitor priorities know), as in the bundled example. */
const TIER_LAYERS: Readonly<Record<string, readonly string[]>> = {
  '1': ['orphanRate: { warning: 0.005, critical: 0.01 }', 'slo: { target: 99.9, warning: 99.95 }'],
  '2': [],
  '3': ['minSpans: 50', 'slo: { target: 98.0, warning: 99.0 }'],
};

export function starterPolicy(input: StarterInput): string {
  const { catalog } = input;
  const services = [...catalog.services].sort((a, b) => compareStrings(a.name, b.name));
  const out: string[] = [
    '# yaml-language-server: $schema=./schema/trace-health.schema.json',
    '#',
    `# trace-health policy written by \`trace-health init\` from ${input.catalogPath}: ${count(services.length, 'service')}` +
      ` of ${count(teamsOf(services).length, 'team')}${input.invalid > 0 ? ` (${count(input.invalid, 'invalid definition')} left out: run \`trace-health catalog validate ${input.catalogPath}\`)` : ''}.`,
    '# Every key is documented in README.md ("Policy reference"). Resolution per service:',
    '#   defaults < tiers.<tier> < teams.<team> < services.<service>',
    '# See what a service ends up with: npx trace-health policy explain <service>',
    `catalog: ${scalar(input.catalogPath)}`,
    `site: ${input.site} # from ${input.siteFrom}`,
    'envs: [prod] # the env tags that get monitors',
    'stacks:',
    '  by: team # one Terraform stack per team (+ core for org-wide resources)',
    '  # State is local (terraform.<stack>.tfstate beside this file) until you set a shared backend, e.g.',
    "  # backend: { type: s3, bucket: my-terraform-state, region: eu-west-1, key: 'trace-health/{stack}.tfstate' }",
    '',
    ...entrypoints(services),
    '',
    'defaults:',
    '  requiredTags:',
    "    - { tag: usr.id, scope: '@_top_level:1', slo: true } # who was affected, on service entry spans",
    "    - { tag: error.message, scope: 'status:error', slo: true } # what went wrong, on error spans",
    '    - { tag: version } # which deploy, on every span',
    '  orphanRate: { warning: 0.01, critical: 0.05 }',
    '  tagCoverage: { warning: 0.98, critical: 0.95 }',
    '  minSpans: 200 # volume guard per evaluation window',
    '  window: 1h',
    '  slo: { timeframe: 30d, target: 99.0, warning: 99.5 }',
    '  notify: [] # handles every monitor notifies, e.g. a platform channel',
    ...tiers(services),
    ...teams(services),
    '',
    ...routing(services),
  ];
  return `${out.join('\n')}\n`;
}

// ---- entrypoints ----

/**
 * Guessed from the graph: a service that calls others and that no catalog entity depends on is where traces
 * enter. Without any `dependsOn` in the catalog there is nothing to guess from.
 */
function entrypoints(services: readonly Service[]): string[] {
  const called = new Set<string>();
  for (const s of services) for (const ref of s.dependsOn) called.add(ref);
  const withEdges = new Set(services.filter((s) => s.dependsOn.length > 0).map((s) => s.name));
  if (withEdges.size === 0)
    return [
      '# Services allowed to start traces (they get no unexpected-roots monitor). Nothing could be guessed: no',
      '# service in the catalog has spec.dependsOn (v3). List those that receive outside traffic.',
      'entrypoints: []',
    ];
  const guesses = services.filter((s) => withEdges.has(s.name) && !called.has(`service:${s.name}`));
  const isolated = services.filter((s) => !withEdges.has(s.name) && !called.has(`service:${s.name}`));
  const lines = [
    '# Services allowed to start traces (they get no unexpected-roots monitor). GUESSED by `trace-health init` from',
    '# the dependsOn graph: each calls other services and no catalog service calls it. Check every one; remove',
    '# those that only run inside traces.',
  ];
  if (isolated.length > 0)
    lines.push(
      `# Not in the graph at all (no dependsOn either way), so not guessed: ${listing(isolated.map((s) => s.name))}.`,
      '# Add those that receive outside traffic (public APIs, consumers of external queues, scheduled jobs).',
    );
  if (guesses.length === 0) return [...lines, 'entrypoints: [] # every service with dependsOn is called by another'];
  lines.push('entrypoints:');
  for (const s of guesses)
    lines.push(`  - ${scalar(s.name)} # guess: calls ${listing(s.dependsOn.map((r) => r.replace(/^service:/, '')))}`);
  return lines;
}

// ---- tiers ----

function tiers(services: readonly Service[]): string[] {
  const byTier = new Map<string, { written: Set<string>; services: string[] }>();
  for (const s of services) {
    if (s.tier === undefined) continue;
    const key = normalizeTier(s.tier);
    const entry = byTier.get(key) ?? { written: new Set<string>(), services: [] };
    entry.written.add(s.tier);
    entry.services.push(s.name);
    byTier.set(key, entry);
  }
  const untiered = services.filter((s) => s.tier === undefined).map((s) => s.name);
  const lines = ['', '# Tiers found in the catalog (spec.tier, v2.x tier, or a tier:<x> tag).'];
  if (untiered.length > 0) lines.push(`# Without a tier (the defaults apply): ${listing(untiered)}.`);
  if (byTier.size === 0) return [...lines, '# None has a tier: add tier layers once the catalog has tiers.'];
  lines.push('tiers:');
  const keys = [...byTier.keys()].sort(compareTiers);
  for (const key of keys) {
    const { written, services: names } = byTier.get(key)!;
    const spelled = [...written].sort(compareStrings);
    const as =
      spelled.length > 1 || spelled[0] !== key ? ` (written ${spelled.map((w) => JSON.stringify(w)).join(', ')})` : '';
    const who = `${count(names.length, 'service')}${as}: ${listing(names)}`;
    if (Object.prototype.hasOwnProperty.call(BUILTIN_TIER_PRIORITY, key)) {
      const settings = TIER_LAYERS[key] ?? [];
      lines.push(`  ${quote(key)}:${settings.length === 0 ? ' {}' : ''} # ${who}`);
      for (const s of settings) lines.push(`    ${s}`);
    } else {
      lines.push(
        `  # TODO ${quote(spelled[0])}: ${who}.`,
        '  # Not tier 1, 2 or 3: until a rule covers it, these services get the defaults and rank with the most',
        "  # urgent tier (P1; synth warns). List it in the aliases of the tier it means (e.g. '1': { aliases: [...] }),",
        '  # or give it its own priority and settings, and remove the #:',
        `  # ${quote(spelled[0])}: { priority: 1, orphanRate: { warning: 0.005, critical: 0.01 } }`,
      );
    }
  }
  return lines;
}

// ---- teams and routing ----

function teamsOf(services: readonly Service[]): string[] {
  return [...new Set(services.flatMap((s) => (s.team === undefined ? [] : [s.team])))].sort(compareStrings);
}

function teams(services: readonly Service[]): string[] {
  const names = teamsOf(services);
  const lines = ['', '# Teams found in the catalog (v2.x team, v3 metadata.owner). Who hears about their services:'];
  const unowned = services.filter((s) => s.team === undefined).map((s) => s.name);
  if (unowned.length > 0)
    lines.push(
      `# Without a team (stack ${stackName('team', { name: unowned[0] })}; notified only as the routing below says): ${listing(unowned)}.`,
    );
  if (names.length === 0) return [...lines, '# None: give the services an owner in the catalog.'];
  lines.push('teams:');
  for (const team of names) {
    const mine = services.filter((s) => s.team === team).map((s) => s.name);
    lines.push(`  ${scalar(team)}: # ${count(mine.length, 'service')}: ${listing(mine)}`);
    lines.push("    notify: [] # e.g. ['@slack-<channel>']; the catalog's own contacts are added per service (below)");
  }
  return lines;
}

/** The `integrations` section each drop cause asks for, and what its key is. */
const MAP_SECTIONS: Partial<Record<DropCause, { section: string; what: string }>> = {
  'pagerduty-unmapped': { section: 'pagerduty', what: "service id → service name in Datadog's PagerDuty integration" },
  'opsgenie-unmapped': { section: 'opsgenie', what: "service id → service name in Datadog's Opsgenie integration" },
  'slack-unmapped': {
    section: 'slack',
    what: "channel id or URL segment → channel name in Datadog's Slack integration",
  },
  'teams-unmapped': {
    section: 'microsoftTeams',
    what: "channel id (or link) → handle name in Datadog's Microsoft Teams integration",
  },
  'webhook-unmapped': {
    section: 'webhooks',
    what: 'URL without its secret part → name of a Datadog webhook integration',
  },
};

/**
 * Comments: the `integrations` map to fill — every catalog id or URL that needs a name, with the services that
 * name it — then what each service's catalog entry gives today, as synth resolves it.
 */
function routing(services: readonly Service[]): string[] {
  const toMap = new Map<string, Map<string, string[]>>();
  const perTeam = new Map<string, string[]>();
  const silent: string[] = [];
  for (const s of services) {
    const r = resolveRouting({ notify: [], integrations: {}, service: s });
    const team = s.team ?? UNOWNED_TEAM;
    const lines = perTeam.get(team) ?? [];
    for (const route of r.routes) lines.push(`#     ${s.name}: ${route.handle} ← ${route.sources.join(', ')}`);
    for (const d of r.dropped) {
      const map = MAP_SECTIONS[d.cause];
      const key = d.what.slice(d.what.indexOf(' ') + 1).replace(/\/…$|\?…$/, '');
      if (map && !key.includes('…')) {
        const section = toMap.get(map.section) ?? new Map<string, string[]>();
        section.set(key, [...(section.get(key) ?? []), s.name]);
        toMap.set(map.section, section);
        lines.push(`#     ${s.name}: ${d.what} → map it under integrations.${map.section} above`);
      } else lines.push(`#     ${s.name}: ${d.what} → ${d.reason}`);
    }
    if (r.routes.length === 0 && r.dropped.length === 0) silent.push(s.name);
    perTeam.set(team, lines);
  }

  const out = [
    '# Routing (docs/routing.md). Monitors notify the `notify` handles above plus the handles the catalog contacts',
    "# and integrations give. The catalog holds ids and URLs, and Datadog's handle is the name configured in each",
    '# integration: no handle is guessed from an id, so each one is mapped here, once for every service naming it.',
  ];
  if (toMap.size === 0) out.push('# Nothing in the catalog needs a mapping.');
  else {
    out.push(
      '# Fill in each <name> and remove the # of the lines you fill (`policy explain SERVICE` then shows who hears what):',
    );
    out.push('# integrations:');
    for (const map of Object.values(MAP_SECTIONS)) {
      const section = map && toMap.get(map.section);
      if (!map || !section) continue;
      out.push(`#   ${map.section}: # ${map.what}`);
      for (const key of [...section.keys()].sort(compareStrings))
        out.push(`#     ${scalar(key)}: <name> # ${listing(section.get(key)!)}`);
    }
  }
  out.push(
    '# Then make synth refuse a policy that leaves the most critical services paging nobody:',
    "# requireRoute: { tiers: ['1'], on: [alert, noData] }",
    '#',
    '# What each service gets from the catalog today (← where a handle comes from, → what it still needs):',
  );
  for (const team of [...perTeam.keys()].sort(compareStrings)) {
    const lines = perTeam.get(team)!;
    if (lines.length > 0) out.push(`#   ${team}:`, ...lines);
  }
  if (silent.length > 0) out.push(`# No contact or integration (only \`notify\` reaches them): ${listing(silent)}.`);
  return out;
}

// ---- text ----

function count(n: number, one: string): string {
  return `${n} ${n === 1 ? one : `${one}s`}`;
}

/** `a, b, c` — all of them: a team reviewing its policy needs every name. */
function listing(names: readonly string[]): string {
  return names.join(', ');
}

/** A YAML plain scalar when it is one, else JSON (which YAML reads): names from a catalog can be anything. */
function scalar(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(s)
    ? s
    : JSON.stringify(s);
}

/** Tier keys are always quoted: `'1'` must stay a string key. */
function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
