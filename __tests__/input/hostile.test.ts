/**
 * Every reader of user files, fed hostile shapes through the command line as a user would: deep nesting, huge
 * strings, alias bombs, invalid UTF-8, and a wrong type at any key of a valid file. Whatever the input, the command
 * ends with an exit code (never a crash, which `main` would reject), prints no stack trace, and an exit 2 names the
 * file. Collector inputs may also end 0: malformed spans are skipped with a located count, by design.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { readState } from '../../src/collector/state';
import { UserError } from '../../src/errors';
import { MAX_NESTING } from '../../src/input/depth';

const REPO = path.resolve(__dirname, '..', '..');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'th-hostile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, content: string | Uint8Array): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), content);
}

async function run(argv: string[]) {
  const io = memoryIo({}, dir);
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** Exit 0, 1 or 2; no stack trace, no JS error name; an exit 2 says where (`located` matches). */
function expectClean(r: { code: number; out: string; err: string }, located: RegExp, allowed = [0, 2]): void {
  expect(allowed).toContain(r.code);
  expect(`${r.out}${r.err}`).not.toMatch(/\n\s+at .+[:(]\d+:\d+\)?$/m);
  expect(r.err).not.toMatch(/RangeError|TypeError|ReferenceError|Maximum call stack/);
  if (r.code === 2) expect(r.err).toMatch(located);
}

// ---- hostile text ----

const deepJson = fc
  .tuple(fc.integer({ min: MAX_NESTING - 5, max: 30_000 }), fc.constantFrom('[', '{"a":'))
  .map(([n, open]) => `${open.repeat(n)}${open === '[' ? '' : '1'}${(open === '[' ? ']' : '}').repeat(n)}`);
const deepYaml = fc.oneof(
  deepJson,
  fc
    .integer({ min: MAX_NESTING - 5, max: 1000 })
    .map((n) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}- `).join('\n') + 'x'),
  fc
    .integer({ min: MAX_NESTING - 5, max: 1000 })
    .map((n) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' x'),
);
const hugeString = fc.integer({ min: 100_000, max: 2_000_000 }).map((n) => `{"dd-service": "${'x'.repeat(n)}"}`);
const aliasBomb = fc.integer({ min: 3, max: 9 }).map((levels) => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
});
/** Valid UTF-8 text with bytes that are not UTF-8 spliced in. */
const invalidUtf8 = (base: string) =>
  fc.tuple(fc.nat(), fc.constantFrom(0xe9, 0xff, 0xc0, 0xed, 0x80)).map(([at, byte]) => {
    const bytes = Buffer.from(base, 'utf8');
    const i = bytes.length === 0 ? 0 : at % bytes.length;
    return Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
  });

/** A wrong value at any key (or list position) of a valid document. */
function mutated(base: unknown): fc.Arbitrary<unknown> {
  const paths: (string | number)[][] = [];
  const collect = (v: unknown, p: (string | number)[]) => {
    paths.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => collect(x, [...p, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) collect(x, [...p, k]);
  };
  collect(base, []);
  const wrong = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(null, '', 0, -1, 1e308, true, [], {}, [[[]]], 'x'.repeat(10_000)),
  );
  return fc.tuple(fc.nat(paths.length - 1), wrong).map(([i, value]) => {
    const copy = structuredClone(base) as Record<string | number, unknown>;
    const p = paths[i];
    if (p.length === 0) return value;
    let node = copy as Record<string | number, unknown>;
    for (const part of p.slice(0, -1)) node = node[part] as Record<string | number, unknown>;
    node[p[p.length - 1]] = value;
    return copy;
  });
}

const V3_SERVICE = {
  apiVersion: 'v3',
  kind: 'service',
  metadata: {
    name: 'a',
    owner: 't',
    links: [{ name: 'Runbook', type: 'runbook', url: 'https://r.example.com' }],
    contacts: [{ type: 'email', contact: 'a@example.com' }],
    tags: ['tier:1'],
  },
  spec: { tier: '1', lifecycle: 'production', dependsOn: ['service:b'], languages: ['go'] },
  integrations: { pagerduty: { serviceURL: 'https://x.pagerduty.com/service-directory/PABC' } },
};
const V22_SERVICE = {
  'schema-version': 'v2.2',
  'dd-service': 'b',
  team: 't',
  tier: '2',
  contacts: [{ type: 'slack', contact: 'https://x.slack.com/archives/C1' }],
  links: [{ name: 'Doc', type: 'doc', url: 'https://d.example.com' }],
  integrations: { opsgenie: { 'service-url': 'https://x.app.opsgenie.com/service/1', region: 'EU' } },
};
const snapshotOf = (definitions: unknown[]) => ({
  definitions,
  format: 'trace-health/catalog-snapshot',
  site: 'datadoghq.com',
  version: 1,
});
const asJson = (v: unknown) => JSON.stringify(v) ?? 'null';

const RUNS = { numRuns: 25 };

describe('catalog definition files', () => {
  it('YAML: deep nesting, alias bombs, huge strings, invalid UTF-8, wrong types', async () => {
    const text = fc.oneof(
      deepYaml,
      aliasBomb,
      hugeString,
      mutated(V3_SERVICE).map((v) => stringify(v)),
      mutated(V22_SERVICE).map((v) => stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(text, invalidUtf8(stringify(V3_SERVICE))), async (content) => {
        write('cat/x.yaml', content);
        expectClean(await run(['catalog', 'validate', 'cat']), /cat\/x\.yaml:\d+:\d+: /);
      }),
      RUNS,
    );
  });

  it('JSON: deep nesting, huge strings, invalid UTF-8, wrong types', async () => {
    const text = fc.oneof(deepJson, hugeString, mutated(V3_SERVICE).map(asJson), mutated(V22_SERVICE).map(asJson));
    await fc.assert(
      fc.asyncProperty(fc.oneof(text, invalidUtf8(asJson(V22_SERVICE))), async (content) => {
        write('cat/x.json', content);
        expectClean(await run(['catalog', 'validate', 'cat']), /cat\/x\.json:\d+:\d+: /);
        expectClean(await run(['catalog', 'list', 'cat', '--json']), /cat\/x\.json:\d+:\d+: /);
      }),
      RUNS,
    );
  });

  it('a JSON file nested 100,000 levels deep is a located error, not a crash', async () => {
    write('cat/deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(await run(['catalog', 'validate', 'cat'])).toStrictEqual({
      code: 2,
      out: '',
      err:
        `cat/deep.json:1:${MAX_NESTING + 1}: invalid JSON: nested more than ${MAX_NESTING} levels deep (lists and mappings inside each other)\n` +
        'cat: invalid, 1 problem (0 services and 0 other entities are valid)\n',
    });
  });

  it('YAML nested too deeply for the parser gets the same message', async () => {
    write('cat/deep.yaml', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const r = await run(['catalog', 'validate', 'cat']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(`^cat/deep\\.yaml:1:\\d+: invalid YAML: nested more than ${MAX_NESTING} levels deep`),
    );
  });
});

describe('catalog snapshots', () => {
  it('deep nesting, huge strings, invalid UTF-8, wrong types anywhere', async () => {
    const snapshot = snapshotOf([V3_SERVICE, V22_SERVICE]);
    const text = fc.oneof(
      deepJson.map((d) => `{"format": "trace-health/catalog-snapshot", "version": 1, "definitions": [${d}]}`),
      hugeString.map((h) => `{"format": "trace-health/catalog-snapshot", "version": 1, "definitions": [${h}]}`),
      mutated(snapshot).map(asJson),
      invalidUtf8(asJson(snapshot)),
    );
    await fc.assert(
      fc.asyncProperty(text, async (content) => {
        write('snap.json', content);
        expectClean(await run(['catalog', 'validate', 'snap.json']), /snap\.json:\d+:\d+: /);
      }),
      RUNS,
    );
  });
});

describe('policy file', () => {
  const POLICY = {
    catalog: 'cat',
    site: 'datadoghq.com',
    envs: ['prod'],
    stacks: { by: 'team' },
    entrypoints: ['a'],
    defaults: {
      requiredTags: [{ tag: 'usr.id', scope: '@_top_level:1', slo: true }],
      orphanRate: { warning: 0.01, critical: 0.05 },
      slo: { timeframe: '30d', target: 99, warning: 99.5 },
      notify: ['@slack-x'],
    },
    tiers: { '1': { minSpans: 10 } },
    teams: { t: { notify: ['@slack-t'] } },
    services: { a: { enabled: true } },
  };

  it('deep nesting, alias bombs, huge strings, invalid UTF-8, wrong types', async () => {
    write('cat/a.yaml', stringify(V3_SERVICE));
    const text = fc.oneof(
      deepYaml.map((d) => `catalog: cat\ndefaults: ${d.includes('\n') ? `\n${d}` : d}\n`),
      aliasBomb.map((b) => `catalog: cat\n${b}`),
      fc.integer({ min: 100_000, max: 2_000_000 }).map((n) => `catalog: cat\nsite: ${'x'.repeat(n)}\n`),
      mutated(POLICY).map((v) => stringify(v)),
      invalidUtf8(stringify(POLICY)),
    );
    await fc.assert(
      fc.asyncProperty(text, async (content) => {
        write('p.yaml', content);
        expectClean(await run(['policy', 'explain', 'a', '--config', 'p.yaml']), /p\.yaml(:\d+:\d+)?: /);
      }),
      RUNS,
    );
  });
});

describe('collector inputs', () => {
  const page = JSON.parse(readFileSync(path.join(REPO, 'examples', 'spans', 'page-001.json'), 'utf8')) as {
    data: unknown[];
  };
  const small = { data: page.data.slice(0, 3) };

  it('span exports (JSON pages, NDJSON)', async () => {
    const text = fc.oneof(deepJson, hugeString, mutated(small).map(asJson), invalidUtf8(asJson(small)));
    await fc.assert(
      fc.asyncProperty(text, fc.boolean(), async (content, ndjson) => {
        const file = ndjson ? 'spans.ndjson' : 'spans.json';
        write(file, ndjson ? `${content.toString().replace(/\n/g, ' ')}\n` : content);
        const located = ndjson ? /spans\.ndjson/ : /spans\.json/;
        expectClean(await run(['collect', '--input', file, '--format', 'json']), located);
      }),
      { numRuns: 25 },
    );
  });

  it('the live state file (--state): a state or a UserError naming the file', () => {
    const state = {
      format: 'trace-health/collector-state',
      version: 1,
      lastWindowEnd: '2026-01-01T00:00:00Z',
      pending: { window: { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:15:00Z' }, payloads: [{}], sent: [false] },
    };
    const text = fc.oneof(deepJson, hugeString, mutated(state).map(asJson), invalidUtf8(asJson(state)));
    fc.assert(
      fc.property(text, (content) => {
        write('state.json', content);
        try {
          readState(path.join(dir, 'state.json'), 'state.json');
        } catch (e) {
          expect(e).toBeInstanceOf(UserError);
          expect((e as UserError).exitCode).toBe(2);
          expect((e as UserError).message).toMatch(/^state\.json: /);
        }
      }),
      RUNS,
    );
  });
});

describe('Terraform plan JSON (plan-summary)', () => {
  const plan = JSON.parse(readFileSync(path.join(REPO, '__tests__', 'ci', 'fixtures', 'team-identity.json'), 'utf8'));

  it('deep nesting, huge strings, invalid UTF-8, wrong types', async () => {
    const text = fc.oneof(deepJson, hugeString, mutated(plan).map(asJson), invalidUtf8(asJson(plan)));
    await fc.assert(
      fc.asyncProperty(text, async (content) => {
        write('plan.json', content);
        expectClean(await run(['plan-summary', 'plan.json', '--json']), /plan\.json/, [0, 1, 2]);
      }),
      RUNS,
    );
  });
});
