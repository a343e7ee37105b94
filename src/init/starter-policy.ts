/**
 * `trace-health init`: a commented starter `trace-health.yaml` written from what a team's catalog actually holds —
 * its teams and tier values, a tier layer to fill for every tier string that is not 1, 2 or 3, entrypoints guessed
 * from the `dependsOn` graph (and said to be guesses), and, as comments, every contact and integration found with
 * the Datadog handle it gives or the mapping it still needs. Pure: catalog in, text out, same bytes every time.
 */
import type { Catalog, Contact, Service } from '../catalog/model';
import { compareStrings } from '../catalog/problems';
import { emailHandle, opsgenieHandle, pagerdutyHandle, slackHandle } from '../constructs/service/notify';
import { stackName, UNOWNED_TEAM } from '../policy/stacks';
import { normalizeTier, TIER_PRIORITY } from '../policy/tiers';

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
    if (key in TIER_PRIORITY) {
      const settings = TIER_LAYERS[key] ?? [];
      lines.push(`  ${quote(key)}:${settings.length === 0 ? ' {}' : ''} # ${who}`);
      for (const s of settings) lines.push(`    ${s}`);
    } else {
      lines.push(
        `  # TODO ${quote(spelled[0])}: ${who}.`,
        '  # Not tier 1, 2 or 3: these services get monitor priority P3 and the defaults. Give the tier the',
        `  # settings it means — e.g. copy those of '1' — and remove the #:`,
        `  # ${quote(spelled[0])}: { orphanRate: { warning: 0.005, critical: 0.01 } }`,
      );
    }
  }
  return lines;
}

/** `1 < 2 < 10 < critical`. */
function compareTiers(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : NaN;
  const nb = /^\d+$/.test(b) ? Number(b) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb || compareStrings(a, b);
  if (!Number.isNaN(na)) return -1;
  if (!Number.isNaN(nb)) return 1;
  return compareStrings(a, b);
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

/** One catalog contact or integration: what it is, and the handle it gives (undefined: it needs a mapping). */
interface Route {
  readonly what: string;
  readonly handle?: string;
  readonly hint: string;
}

function routes(s: Service): Route[] {
  const out: Route[] = s.contacts.map((c) => contactRoute(c));
  const pd = s.integrations.pagerduty;
  if (pd)
    out.push({
      what: `pagerduty ${pd.serviceUrl}`,
      handle: pagerdutyHandle(pd.serviceUrl),
      hint: "'@pagerduty-<service name in Datadog's PagerDuty integration>'",
    });
  const og = s.integrations.opsgenie;
  if (og)
    out.push({
      what: `opsgenie ${og.serviceUrl}`,
      handle: opsgenieHandle(og.serviceUrl),
      hint: "'@opsgenie-<service name in Datadog's Opsgenie integration>'",
    });
  return out;
}

function contactRoute(c: Contact): Route {
  const type = c.type.toLowerCase();
  const what = `${c.type} ${c.contact}`;
  if (type === 'slack') return { what, handle: slackHandle(c.contact), hint: "'@slack-<channel name>'" };
  if (type === 'email') return { what, handle: emailHandle(c.contact), hint: "'@<address>'" };
  return { what, hint: `a handle for it (Datadog has none for ${c.type} contacts)` };
}

/**
 * Plain comments: every contact and integration found, with the handle monitors will use or the mapping to add.
 * (A routing section of the policy itself is planned; until then mappings are `notify` handles.)
 */
function routing(services: readonly Service[]): string[] {
  const lines = [
    '# Routing found in the catalog. Monitors notify the `notify` handles above plus the handles that the catalog',
    '# contacts and integrations of each service give. Those marked NEEDS A HANDLE name an id or a tool Datadog',
    '# cannot notify by itself: add the handle to `notify` of the team (or of the service under services:).',
  ];
  const silent: string[] = [];
  const byTeam = new Map<string, Service[]>();
  for (const s of services) {
    const team = s.team ?? UNOWNED_TEAM;
    byTeam.set(team, [...(byTeam.get(team) ?? []), s]);
  }
  for (const team of [...byTeam.keys()].sort(compareStrings)) {
    const entries: string[] = [];
    for (const s of byTeam.get(team)!) {
      const r = routes(s);
      if (r.length === 0) {
        silent.push(s.name);
        continue;
      }
      for (const x of r) entries.push(`#     ${s.name}: ${x.what} → ${x.handle ?? `NEEDS A HANDLE: ${x.hint}`}`);
    }
    if (entries.length > 0) lines.push(`#   ${team}:`, ...entries);
  }
  if (silent.length > 0) lines.push(`# No contact or integration (only \`notify\` reaches them): ${listing(silent)}.`);
  return lines;
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
