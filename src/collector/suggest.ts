/**
 * Draft catalog definitions (Service Catalog v3) for the services a collect report found sending spans without a
 * catalog definition (`not-in-catalog` findings): the name, the languages and tracers seen, `dependsOn` from the
 * calls observed. The owner is left for a person to fill, with a comment saying so — trace-health cannot know it.
 * Pure: report in, file texts out (`trace-health catalog suggest` writes them).
 *
 * The v3 shape follows DataDog/schema `service-catalog/v3/service.schema.json` (apiVersion, kind, metadata.name,
 * spec.languages, spec.dependsOn as `kind:name`, free-form `extensions`).
 */
import { stringify } from 'yaml';
import type { CollectReport } from './report';

export interface Draft {
  /** File name inside the output folder: `<service>.yaml`. */
  readonly file: string;
  readonly service: string;
  readonly text: string;
}

/**
 * Tracer language names → the names the v3 schema lists (`dotnet`, `go`, `java`, `js`, `php`, `python`, `ruby`,
 * `c++`): Datadog tracers report `jvm`, `nodejs`, `cpp`; OpenTelemetry SDKs `java`, `nodejs`, `webjs`, `cpp`.
 */
const LANGUAGES: Readonly<Record<string, string>> = {
  jvm: 'java',
  java: 'java',
  nodejs: 'js',
  webjs: 'js',
  javascript: 'js',
  js: 'js',
  cpp: 'c++',
  'c++': 'c++',
  dotnet: 'dotnet',
  go: 'go',
  php: 'php',
  python: 'python',
  ruby: 'ruby',
};

export function catalogLanguage(language: string): string {
  const l = language.toLowerCase();
  return LANGUAGES[l] ?? l;
}

/**
 * A file name for a service name that came from spans (anything): characters other than letters, digits, `.`, `_`
 * and `-` become `_`, no leading dot (no path outside the output folder, no hidden file).
 */
export function draftFileName(service: string, taken: Set<string>): string {
  const base = service.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
  let file = `${base}.yaml`;
  for (let i = 2; taken.has(file.toLowerCase()); i++) file = `${base}-${i}.yaml`;
  taken.add(file.toLowerCase());
  return file;
}

/** One draft per `not-in-catalog` finding, sorted by service. */
export function draftDefinitions(report: CollectReport, source: string): Draft[] {
  const names = [...new Set(report.findings.filter((f) => f.kind === 'not-in-catalog').map((f) => f.service))].sort();
  const taken = new Set<string>();
  // Services the report knows: seen in the spans, or catalog services it did not see (its not-seen findings).
  const known = new Set([...Object.keys(report.services), ...report.findings.map((f) => f.service)]);
  return names.map((name) => {
    const svc = report.services[name];
    const languages = [...new Set((svc?.languages ?? []).map(catalogLanguage))].sort();
    const calls = (svc?.calls ?? []).filter((c) => c !== name);
    const services = calls.filter((c) => known.has(c));
    const others = calls.filter((c) => !known.has(c));
    const spec: Record<string, unknown> = {};
    if (languages.length) spec.languages = languages;
    if (services.length) spec.dependsOn = services.map((c) => `service:${c}`);
    const definition: Record<string, unknown> = {
      apiVersion: 'v3',
      kind: 'service',
      metadata: { name },
      ...(Object.keys(spec).length ? { spec } : {}),
      extensions: {
        'trace-health/observed': {
          tracers: [...(svc?.tracers ?? [])],
          spans: svc?.spans ?? 0,
          ...(others.length ? { calls: others } : {}),
        },
      },
    };
    const yaml = stringify(definition, { lineWidth: 0 }).replace(
      /^metadata:\n {2}name: .*\n/m,
      (m) =>
        `${m}  # owner: TEAM  <- left for a person to fill: the team that owns ${name} (its Datadog team handle).\n` +
        '  #   trace-health cannot know it; until it is set, the service gets monitors routed to team "unowned".\n',
    );
    const header = [
      `# Draft Service Catalog definition for ${name}, written by \`trace-health catalog suggest\` from ${source}:`,
      '# the service sends spans but has no catalog definition, so no monitor, dashboard or SLO watches it.',
      '# Review it (owner, tier, lifecycle, links, contacts), then add it to the catalog in a pull request.',
      ...(others.length
        ? [
            `# Also called, not services in the report (add them as datastore:/queue: entries if they are): ${others.join(', ')}`,
          ]
        : []),
    ];
    return { file: draftFileName(name, taken), service: name, text: `${header.join('\n')}\n${yaml}` };
  });
}
