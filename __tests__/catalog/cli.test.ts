import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/index';
import { VALIDATE_HELP } from '../../src/cli/catalog';
import { memoryIo } from '../../src/cli/io';

const REPO = path.resolve(__dirname, '..', '..');

async function run(argv: string[], cwd = REPO) {
  const io = memoryIo({}, cwd);
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'th-catalog-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}

describe('catalog validate', () => {
  it('prints a summary of the example catalog and exits 0', async () => {
    expect(await run(['catalog', 'validate', 'examples/catalog'])).toStrictEqual({
      code: 0,
      stdout: [
        'examples/catalog: valid, 14 services, 3 other entities in 14 files',
        '  services by schema version: v2 3, v2.1 3, v2.2 3, v3 5',
        '  entities by kind: datastore 1, queue 1, system 1',
        '  teams: checkout, data, identity, payments, platform',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('lists every problem, sorted, with no stack trace, and exits 2', async () => {
    write('cat/b.yaml', 'apiVersion: v3\nkind: service\nmetadata:\n  name: a\nspec:\n  tier: [1, 2]\n');
    write('cat/a.yaml', 'schema-version: v2\ndd-service: a\n---\nschema-version: v2\nteam:\n\t- x\n');
    write('cat/c.yaml', 'schema-version: v2\ndd-service: c\n');
    const r = await run(['catalog', 'validate', 'cat'], dir);
    expect(r).toStrictEqual({
      code: 2,
      stdout: '',
      stderr: [
        'cat/a.yaml:6:1: invalid YAML: tabs are not allowed in indentation (use spaces)',
        'cat/b.yaml:6:9: spec.tier must be a string or number, got [1,2]',
        // Warnings are shown after the errors, not hidden by them.
        'warning: cat/a.yaml:1:1: service a has no team (v2.x team, v3 metadata.owner)',
        'warning: cat/c.yaml:1:1: service c has no team (v2.x team, v3 metadata.owner)',
        'cat: invalid, 2 problems and 2 warnings (2 services and 0 other entities are valid)',
        '',
      ].join('\n'),
    });
  });

  it('prints warnings; --strict makes them fail with exit code 1', async () => {
    write('cat/a.yaml', 'apiVersion: v3\nkind: service\nmetadata: { name: a }\nspec: { dependsOn: [service:ghost] }\n');
    const warnings = [
      'warning: cat/a.yaml:1:1: a depends on service:ghost, which is not in the catalog',
      'warning: cat/a.yaml:1:1: service a has no team (v2.x team, v3 metadata.owner)',
    ];
    const lenient = await run(['catalog', 'validate', 'cat'], dir);
    expect([lenient.code, lenient.stderr]).toStrictEqual([0, `${warnings.join('\n')}\n`]);
    const strict = await run(['catalog', 'validate', '--strict', 'cat'], dir);
    expect(strict).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `${[...warnings, 'cat: not valid with --strict, 2 warnings (1 service, 0 other entities in 1 file)'].join('\n')}\n`,
    });
    // Without warnings, --strict says valid and exits 0.
    write('cat/a.yaml', 'apiVersion: v3\nkind: service\nmetadata: { name: a, owner: x }\n');
    const clean = await run(['catalog', 'validate', '--strict', 'cat'], dir);
    expect([clean.code, clean.stdout.split('\n')[0], clean.stderr]).toStrictEqual([
      0,
      'cat: valid, 1 service, 0 other entities in 1 file',
      '',
    ]);
  });

  it('takes the catalog path from ./trace-health.yaml when PATH is not given', async () => {
    write('defs/a.yaml', 'schema-version: v2\ndd-service: a\nteam: x\n');
    write('trace-health.yaml', 'catalog: defs\n');
    const r = await run(['catalog', 'validate'], dir);
    expect([r.code, r.stdout.split('\n')[0]]).toStrictEqual([0, 'defs: valid, 1 service, 0 other entities in 1 file']);
  });

  it('fails with exit code 2 when PATH is missing and there is no ./trace-health.yaml', async () => {
    expect(await run(['catalog', 'validate'], dir)).toStrictEqual({
      code: 2,
      stdout: '',
      stderr:
        'trace-health: catalog PATH is required: there is no ./trace-health.yaml to take catalog: from (e.g. trace-health catalog validate examples/catalog)\n',
    });
  });

  it('fails with exit code 2 on a path that does not exist', async () => {
    expect(await run(['catalog', 'validate', 'nope'], dir)).toStrictEqual({
      code: 2,
      stdout: '',
      stderr: 'trace-health: nope: catalog path not found\n',
    });
  });
});

describe('catalog list', () => {
  it('prints a JSON array of normalized services', async () => {
    const r = await run(['catalog', 'list', 'examples/catalog', '--json']);
    expect(r.code).toBe(0);
    const services = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(services).toHaveLength(14);
    expect(services.find((s) => s.name === 'notification-worker')).toStrictEqual({
      name: 'notification-worker',
      team: 'platform',
      tier: '3',
      lifecycle: null,
      type: null,
      application: null,
      description: null,
      schemaVersion: 'v2',
      file: 'examples/catalog/platform/notification-worker.yaml',
      line: 3,
      runbook: null,
      dependsOn: [],
      languages: [],
      tags: ['domain:messaging', 'tier:3'],
      contacts: [
        { type: 'slack', contact: 'https://example.slack.com/archives/C01PLATFORM', name: 'Platform on-call' },
        { type: 'email', contact: 'platform@example.com', name: 'Platform team' },
      ],
      links: [
        { name: 'Notification volume', type: 'dashboard', url: 'https://app.datadoghq.com/dashboard/nw8-3pd-5rt' },
        { name: 'Source', type: 'repo', url: 'https://github.com/example-org/notification-worker', provider: 'github' },
        {
          name: 'Templates guide',
          type: 'doc',
          url: 'https://wiki.example.com/display/PLAT/Notification+templates',
          provider: 'confluence',
        },
      ],
      integrations: {
        pagerduty: null,
        opsgenie: {
          serviceUrl: 'https://example.app.opsgenie.com/service/4c1f2a9e-6b7d-4e0a-9a51-0f3c2d8e7b10',
          region: 'US',
        },
      },
    });
  });

  it('prints a table', async () => {
    write('cat/a.yaml', 'schema-version: v2.1\ndd-service: a\nteam: t\ntier: 1\n');
    write('cat/b.yaml', 'schema-version: v2\ndd-service: bb\nlinks: [{ name: R, type: runbook, url: "https://r" }]\n');
    expect(await run(['catalog', 'list', 'cat'], dir)).toStrictEqual({
      code: 0,
      stdout: [
        'SERVICE  TEAM  TIER  LIFECYCLE  SCHEMA  RUNBOOK  DEFINED AT',
        'a        t     1     -          v2.1    no       cat/a.yaml:1',
        'bb       -     -     -          v2      yes      cat/b.yaml:1',
        '2 services',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('fails with exit code 2 on an invalid catalog, still listing what is valid', async () => {
    write('cat/a.yaml', 'schema-version: v3\n');
    const r = await run(['catalog', 'list', 'cat'], dir);
    expect([r.code, r.stdout, r.stderr]).toStrictEqual([
      2,
      'SERVICE  TEAM  TIER  LIFECYCLE  SCHEMA  RUNBOOK  DEFINED AT\n0 services\n',
      'cat/a.yaml:1:17: unknown schema version: schema-version "v3" (supported: schema-version v2, v2.1, v2.2, or apiVersion v3)\n' +
        'cat: 1 problem; left out: cat/a.yaml:1:1\n',
    ]);
  });
});

describe('help', () => {
  it.each([
    ['catalog', 'validate'],
    ['catalog', 'list'],
  ])('%s %s --help exits 0', async (...cmd) => {
    const r = await run([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: trace-health ${cmd.join(' ')} [options] [path]`);
  });

  it('--version prints the version of package.json and exits 0', async () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V'])
      expect(await run([flag])).toStrictEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('catalog validate --help says what is an error, what is only a warning, and why', async () => {
    const r = await run(['catalog', 'validate', '--help']);
    expect(r.stdout.endsWith(`${VALIDATE_HELP}\n`)).toBe(true);
    expect(VALIDATE_HELP).toContain('Errors (exit 2; the definition is not used):');
    expect(VALIDATE_HELP).toContain('Warnings (exit 0, or 1 with --strict); the definition is used:');
    expect(VALIDATE_HELP).toContain('its value would be silently ignored');
    expect(VALIDATE_HELP).toContain('holds definitions Datadog already accepted');
  });

  it('rejects an unknown option with exit code 2', async () => {
    const r = await run(['catalog', 'list', '--jsn']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown option '--jsn'");
  });
});
