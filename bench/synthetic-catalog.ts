/**
 * A synthetic but realistic Service Catalog folder plus a matching `trace-health.yaml`, for benchmarks and
 * scale tests (synth of 150 / 1,500 services, terraform plan timings). Deterministic: the same `services` and
 * `seed` give the same bytes, so a benchmark run can be compared with the previous one.
 *
 * What "realistic" means here (what the real catalogs we model look like):
 * - every schema version mixed: ~15% v2, ~20% v2.1, ~25% v2.2, ~40% v3;
 * - teams of 10–20 services, tiers 1–3 (tier 1 rare), a few services without a team or runbook;
 * - some files hold several YAML documents (a team's "services.yaml"), some are `.json`;
 * - v3 services declare `dependsOn` other services (only earlier ones: the graph is a DAG, like a real call
 *   graph with entrypoints on top), datastores and queues; non-service v3 entities exist too;
 * - the policy has tier and team overrides, a few disabled services and a couple of entrypoints.
 *
 * Usage: `npx tsx bench/synthetic-catalog.ts <dir> [services] [seed]` or `writeSyntheticCatalog(dir, …)`.
 */
import { mulberry32 } from './synthetic-spans';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface SyntheticCatalogOptions {
  /** Number of catalog services (non-service entities come on top). */
  readonly services: number;
  /** PRNG seed; default 1. */
  readonly seed?: number;
  /** Datadog site written in the policy; default `datadoghq.com`. */
  readonly site?: string;
}

export interface SyntheticCatalog {
  /** The folder given, absolute or as passed. */
  readonly dir: string;
  /** `<dir>/catalog`: the service definition files. */
  readonly catalogDir: string;
  /** `<dir>/trace-health.yaml`, whose `catalog:` points at `catalog` (relative). */
  readonly policyFile: string;
  /** Catalog service names, sorted. */
  readonly services: readonly string[];
  /** Team names, sorted. */
  readonly teams: readonly string[];
  /** Services disabled in the policy, sorted. */
  readonly disabled: readonly string[];
  /** Files written under catalogDir, sorted (relative names). */
  readonly files: readonly string[];
}

const TEAM_WORDS = [
  'platform',
  'checkout',
  'payments',
  'identity',
  'data',
  'search',
  'growth',
  'logistics',
  'catalog',
  'pricing',
  'messaging',
  'media',
  'risk',
  'ledger',
  'partners',
  'mobile',
  'support',
  'ads',
  'maps',
  'billing',
];
const SERVICE_WORDS = [
  'api',
  'gateway',
  'worker',
  'scheduler',
  'ingest',
  'indexer',
  'store',
  'cache',
  'router',
  'sync',
  'export',
  'import',
  'notifier',
  'resolver',
  'scorer',
  'reporter',
  'auth',
  'profile',
  'events',
  'queue-consumer',
];
const LANGUAGES = ['go', 'java', 'python', 'js', 'ruby', 'dotnet', 'php'];
const TYPES = ['web', 'grpc', 'http', 'rest', 'graphql'];
const LIFECYCLES = ['production', 'production', 'production', 'experimental', 'deprecated'];

type SchemaVersion = 'v2' | 'v2.1' | 'v2.2' | 'v3';

interface Spec {
  readonly name: string;
  readonly team?: string;
  readonly tier: string;
  readonly version: SchemaVersion;
  readonly language: string;
  readonly type: string;
  readonly lifecycle: string;
  readonly runbook: boolean;
  readonly pagerduty: boolean;
  readonly dependsOn: readonly string[];
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

function pickVersion(r: number): SchemaVersion {
  if (r < 0.15) return 'v2';
  if (r < 0.35) return 'v2.1';
  if (r < 0.6) return 'v2.2';
  return 'v3';
}

function pickTier(r: number): string {
  if (r < 0.15) return '1';
  if (r < 0.55) return '2';
  return '3';
}

function links(s: Spec): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  if (s.runbook) out.push({ name: 'Runbook', type: 'runbook', url: `https://wiki.example.com/runbooks/${s.name}` });
  out.push({ name: 'Source', type: 'repo', url: `https://github.com/example/${s.name}` });
  out.push({ name: 'Docs', type: 'doc', url: `https://docs.example.com/${s.name}` });
  return out;
}

function contacts(s: Spec): Record<string, string>[] {
  const team = s.team ?? 'nobody';
  return [
    { name: 'Oncall Slack', type: 'slack', contact: `https://example.slack.com/archives/${team}-oncall` },
    { name: 'Team Email', type: 'email', contact: `${team}@example.com` },
  ];
}

function pagerdutyUrl(s: Spec): string {
  return `https://example.pagerduty.com/service-directory/P${s.name.replace(/[^a-zA-Z0-9]/g, '').toUpperCase()}`;
}

function tags(s: Spec): string[] {
  return [`domain:${s.team ?? 'none'}`, `language:${s.language}`];
}

/** One service definition in its schema version's own shape. */
function definition(s: Spec): Record<string, unknown> {
  switch (s.version) {
    case 'v2': {
      const d: Record<string, unknown> = { 'schema-version': 'v2', 'dd-service': s.name };
      if (s.team) d.team = s.team;
      d.contacts = contacts(s);
      // v2 link types are a closed list; repos and docs are separate lists.
      d.links = s.runbook
        ? [{ name: 'Runbook', type: 'runbook', url: `https://wiki.example.com/runbooks/${s.name}` }]
        : [];
      d.repos = [{ name: 'Source', provider: 'Github', url: `https://github.com/example/${s.name}` }];
      d.docs = [{ name: 'Docs', provider: 'Confluence', url: `https://docs.example.com/${s.name}` }];
      d.tags = tags(s);
      if (s.pagerduty) d.integrations = { pagerduty: pagerdutyUrl(s) };
      return d;
    }
    case 'v2.1':
    case 'v2.2': {
      const d: Record<string, unknown> = { 'schema-version': s.version, 'dd-service': s.name };
      if (s.team) d.team = s.team;
      d.application = s.team ? `${s.team}-app` : 'misc';
      d.description = `Synthetic service ${s.name}.`;
      d.tier = s.tier;
      d.lifecycle = s.lifecycle;
      if (s.version === 'v2.2') {
        // v2.2 `type` is a closed list (web, db, cache, function, browser, mobile, custom).
        d.type = s.type === 'web' || s.type === 'http' ? 'web' : 'custom';
        d.languages = [s.language];
      }
      d.contacts = contacts(s);
      d.links = links(s);
      d.tags = tags(s);
      if (s.pagerduty) d.integrations = { pagerduty: { 'service-url': pagerdutyUrl(s) } };
      return d;
    }
    case 'v3': {
      const metadata: Record<string, unknown> = { name: s.name };
      if (s.team) metadata.owner = s.team;
      metadata.description = `Synthetic service ${s.name}.`;
      metadata.links = links(s).map((l) => (l.type === 'repo' ? { ...l, provider: 'github' } : l));
      metadata.contacts = contacts(s);
      metadata.tags = tags(s);
      const spec: Record<string, unknown> = {
        tier: s.tier,
        lifecycle: s.lifecycle,
        type: s.type,
        languages: [s.language],
      };
      if (s.dependsOn.length) spec.dependsOn = s.dependsOn;
      const d: Record<string, unknown> = { apiVersion: 'v3', kind: 'service', metadata, spec };
      if (s.pagerduty) d.integrations = { pagerduty: { serviceURL: pagerdutyUrl(s) } };
      return d;
    }
  }
}

function entity(kind: 'datastore' | 'queue' | 'system', name: string, owner: string): Record<string, unknown> {
  return {
    apiVersion: 'v3',
    kind,
    metadata: { name, owner },
    spec: kind === 'system' ? {} : { type: kind === 'queue' ? 'kafka' : 'postgres' },
  };
}

function yamlDocs(docs: readonly Record<string, unknown>[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

/**
 * Write `<dir>/catalog/…` and `<dir>/trace-health.yaml`. `dir` is emptied first (only the two paths we own).
 */
export function writeSyntheticCatalog(dir: string, options: SyntheticCatalogOptions): SyntheticCatalog {
  const count = Math.max(1, Math.floor(options.services));
  const rand = mulberry32(options.seed ?? 1);
  const catalogDir = join(dir, 'catalog');
  const policyFile = join(dir, 'trace-health.yaml');
  rmSync(catalogDir, { recursive: true, force: true });
  mkdirSync(catalogDir, { recursive: true });

  // Teams of 10–20 services; names from a word list, numbered once the list is used up.
  const teamSizes: number[] = [];
  for (let left = count; left > 0;) {
    const size = Math.min(left, 10 + Math.floor(rand() * 11));
    teamSizes.push(size);
    left -= size;
  }
  const teamNames = teamSizes.map((_, i) =>
    i < TEAM_WORDS.length
      ? TEAM_WORDS[i]
      : `${TEAM_WORDS[i % TEAM_WORDS.length]}-${Math.floor(i / TEAM_WORDS.length) + 1}`,
  );

  const specs: Spec[] = [];
  const used = new Set<string>();
  teamSizes.forEach((size, t) => {
    const team = teamNames[t];
    for (let i = 0; i < size; i++) {
      let name = `${team}-${SERVICE_WORDS[i % SERVICE_WORDS.length]}`;
      if (i >= SERVICE_WORDS.length || used.has(name)) name = `${name}-${i + 1}`;
      used.add(name);
      const version = pickVersion(rand());
      // Calls go to earlier services (DAG): mostly within the team, sometimes to another team's.
      const deps = new Set<string>();
      if (version === 'v3' && specs.length > 0) {
        const n = Math.floor(rand() * 4);
        for (let k = 0; k < n; k++) {
          const sameTeam = rand() < 0.7;
          const teamStart = specs.length - i;
          const lo = sameTeam && i > 0 ? teamStart : 0;
          const target = specs[lo + Math.floor(rand() * (specs.length - lo))];
          deps.add(`service:${target.name}`);
        }
        if (rand() < 0.3) deps.add(`datastore:${team}-db`);
        if (rand() < 0.2) deps.add(`queue:${team}-events`);
      }
      specs.push({
        name,
        team: rand() < 0.02 ? undefined : team,
        tier: pickTier(rand()),
        version,
        language: pick(rand, LANGUAGES),
        type: pick(rand, TYPES),
        lifecycle: pick(rand, LIFECYCLES),
        runbook: rand() < 0.85,
        pagerduty: rand() < 0.4,
        dependsOn: [...deps].sort(),
      });
    }
  });

  // Files: per team, v3 services one file each; one multi-document `services.yaml` holding up to 3 v2.x
  // services; every 7th remaining v2.x service as `.json`; the rest one `.yaml` each.
  const files = new Map<string, string>();
  teamNames.forEach((team, t) => {
    const start = teamSizes.slice(0, t).reduce((a, b) => a + b, 0);
    const members = specs.slice(start, start + teamSizes[t]);
    const v2x = members.filter((s) => s.version !== 'v3');
    const bundled = v2x.slice(0, 3);
    if (bundled.length > 1) files.set(`${team}/services.yaml`, yamlDocs(bundled.map(definition)));
    const rest = bundled.length > 1 ? members.filter((s) => !bundled.includes(s)) : members;
    rest.forEach((s, i) => {
      if (s.version !== 'v3' && i % 7 === 3)
        files.set(`${team}/${s.name}.json`, `${JSON.stringify(definition(s), null, 2)}\n`);
      else files.set(`${team}/${s.name}.yaml`, yamlDocs([definition(s)]));
    });
    const ents: Record<string, unknown>[] = [];
    if (members.some((s) => s.dependsOn.includes(`datastore:${team}-db`)))
      ents.push(entity('datastore', `${team}-db`, team));
    if (members.some((s) => s.dependsOn.includes(`queue:${team}-events`)))
      ents.push(entity('queue', `${team}-events`, team));
    ents.push(entity('system', `${team}-system`, team));
    files.set(`${team}/entities.yaml`, yamlDocs(ents));
  });

  const sortedFiles = [...files.keys()].sort();
  for (const f of sortedFiles) {
    mkdirSync(join(catalogDir, f.split('/')[0]), { recursive: true });
    writeFileSync(join(catalogDir, f), files.get(f)!);
  }

  // Policy: DESIGN §6 shape. Entrypoints: the first service of the first two teams; ~1% disabled.
  const disabled = specs.filter((_, i) => i % 97 === 42).map((s) => s.name);
  const teamOverrides: Record<string, unknown> = {};
  teamNames.forEach((team, t) => {
    if (t % 3 === 0) teamOverrides[team] = { notify: [`@slack-${team}-oncall`] };
    else if (t % 5 === 1) teamOverrides[team] = { orphanRate: { warning: 0.02, critical: 0.08 } };
  });
  const services: Record<string, unknown> = {};
  for (const name of [...disabled].sort()) services[name] = { enabled: false };
  // One line per PagerDuty service, as docs/routing.md asks: the id in the catalog URL → the integration's name.
  const pagerduty: Record<string, string> = {};
  for (const s of specs)
    if (s.pagerduty) pagerduty[pagerdutyUrl(s).slice(pagerdutyUrl(s).lastIndexOf('/') + 1)] = s.name;
  const policy = {
    catalog: 'catalog',
    site: options.site ?? 'datadoghq.com',
    envs: ['prod'],
    stacks: { by: 'team' },
    entrypoints: specs.filter((_, i) => i === 0 || i === teamSizes[0]).map((s) => s.name),
    integrations: { pagerduty },
    defaults: {
      requiredTags: [
        { tag: 'usr.id', scope: '@_top_level:1', slo: true },
        { tag: 'error.message', scope: 'status:error', slo: true },
        { tag: 'version' },
      ],
      orphanRate: { warning: 0.01, critical: 0.05 },
      tagCoverage: { warning: 0.98, critical: 0.95 },
      minSpans: 200,
      window: '1h',
      slo: { timeframe: '30d', target: 99.0, warning: 99.5 },
      notify: ['@slack-trace-health'],
    },
    tiers: {
      '1': { orphanRate: { warning: 0.005, critical: 0.01 }, slo: { target: 99.9, warning: 99.95 } },
      '3': { minSpans: 50, slo: { target: 98.0, warning: 99.0 } },
    },
    teams: teamOverrides,
    services,
  };
  writeFileSync(policyFile, stringify(policy, { lineWidth: 0 }));

  return {
    dir,
    catalogDir,
    policyFile,
    services: specs.map((s) => s.name).sort(),
    teams: [...teamNames].sort(),
    disabled: [...disabled].sort(),
    files: sortedFiles,
  };
}

if (require.main === module) {
  const [dir, n, seed] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: tsx bench/synthetic-catalog.ts <dir> [services=150] [seed=1]\n');
    process.exit(2);
  }
  const out = writeSyntheticCatalog(dir, { services: Number(n ?? 150), seed: Number(seed ?? 1) });
  process.stdout.write(
    `${out.services.length} services, ${out.teams.length} teams, ${out.files.length} files → ${out.catalogDir}\n` +
      `policy: ${out.policyFile}\n`,
  );
}
