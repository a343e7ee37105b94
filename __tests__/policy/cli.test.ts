import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { expectGolden } from './helpers';
import { exampleRoot } from '../example-policy';

const GOLDEN = path.join(__dirname, 'golden');

async function run(argv: string[], cwd = exampleRoot()) {
  const io = memoryIo({}, cwd);
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('trace-health policy explain', () => {
  it('explains billing in the bundled example (golden)', async () => {
    const r = await run(['policy', 'explain', 'billing']);
    expect([r.code, r.stderr]).toStrictEqual([0, '']);
    expectGolden(path.join(GOLDEN, 'explain-billing.txt'), r.stdout);
  });

  it('explains billing as JSON (golden)', async () => {
    const r = await run(['policy', 'explain', 'billing', '--json']);
    expect([r.code, r.stderr]).toStrictEqual([0, '']);
    expectGolden(path.join(GOLDEN, 'explain-billing.json'), r.stdout);
    const parsed = JSON.parse(r.stdout) as { service: { service: string; origin: Record<string, string> } };
    expect(parsed.service.origin['requiredTags[3]']).toBe('services.billing');
  });

  it('shows a disabled service as disabled, and a tier 1 service with its tier thresholds', async () => {
    const legacy = await run(['policy', 'explain', 'legacy-batch']);
    expect(legacy.stdout.split('\n')[0]).toBe(
      'legacy-batch: disabled, resolved from trace-health.yaml (defaults < tier < team < service)',
    );
    expect(legacy.stdout).toMatch(/^enabled +false +services\.legacy-batch$/m);
    const auth = await run(['policy', 'explain', 'auth-api']);
    expect(auth.stdout).toMatch(/^orphanRate\.critical +0\.01 +tiers\.1$/m);
    expect(auth.stdout).toMatch(/^priority +P1 +builtin \(tier 1\)$/m);
    expect(auth.stdout).toMatch(/^requireRoute +met \(alert, noData\) +requireRoute$/m);
    expect(auth.stdout).toMatch(
      /^ {2}@slack-identity-alerts +teams\.identity, catalog slack C04IDENTITY → integrations\.slack\.C04IDENTITY$/m,
    );
  });

  it('fails when the service is not in the catalog, suggesting the closest', async () => {
    expect(await run(['policy', 'explain', 'biling'])).toStrictEqual({
      code: 2,
      stdout: '',
      stderr: 'trace-health: no service "biling" in the catalog (did you mean "billing"?)\n',
    });
  });

  describe('with --config', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'policy-cli-'));
      mkdirSync(path.join(dir, 'conf', 'services'), { recursive: true });
      writeFileSync(
        path.join(dir, 'conf', 'services', 'api.yaml'),
        'schema-version: v2.1\ndd-service: api\nteam: web\ntier: "1"\n',
      );
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('prints the handles per transition, where each came from, and every dropped contact with its reason', async () => {
      writeFileSync(
        path.join(dir, 'conf', 'services', 'api.yaml'),
        [
          'schema-version: v2.1',
          'dd-service: api',
          'team: web',
          'tier: "0"',
          'contacts:',
          '  - { type: slack, contact: "https://acme.slack.com/archives/C0WEBTEAM1" }',
          '  - { type: email, contact: no-one@localhost }',
          '  - { type: slack, contact: "https://hooks.slack.com/services/T0001/B0001/AbCdEfGhIjKlMnOpQrStUvWx" }',
          'integrations:',
          '  pagerduty:',
          '    service-url: https://acme.pagerduty.com/service-directory/PWEB001',
          '  opsgenie:',
          '    service-url: https://acme.app.opsgenie.com/service/7d9e5a3c-2b1f-4e6d-8a0c-9f8e7d6c5b4a',
          '',
        ].join('\n'),
      );
      writeFileSync(
        path.join(dir, 'conf', 'th.yaml'),
        [
          'catalog: services',
          "tiers: { '1': { aliases: ['0'] } }",
          "requireRoute: { tiers: ['1'], on: [alert, noData] }",
          'integrations:',
          '  opsgenie: { https://acme.app.opsgenie.com/service/7d9e5a3c-2b1f-4e6d-8a0c-9f8e7d6c5b4a: web-oncall }',
          'teams:',
          "  web: { notify: [{ handle: '@web-leads@example.com', on: [warning, recovery] }] }",
          '',
        ].join('\n'),
      );
      const r = await run(['policy', 'explain', 'api', '--config', 'conf/th.yaml'], dir);
      expect([r.code, r.stderr]).toStrictEqual([0, '']);
      const text = r.stdout;
      expect(text).toMatch(/^tier +0 +catalog, rule tiers\.1$/m);
      expect(text).toMatch(/^priority +P1 +builtin \(tier 1\)$/m);
      expect(text).toMatch(/^requireRoute +met \(alert, noData\) +requireRoute$/m);
      expect(text.slice(text.indexOf('\nWho is told'))).toBe(
        [
          '',
          'Who is told (noData: by monitors that notify on No Data; recovery: from the states a handle was told of):',
          '  warning   @web-leads@example.com',
          '  alert     @opsgenie-web-oncall',
          '  noData    @opsgenie-web-oncall',
          '  recovery  @opsgenie-web-oncall, @web-leads@example.com',
          '',
          'Where each handle comes from:',
          '  @opsgenie-web-oncall    catalog opsgenie 7d9e5a3c-2b1f-4e6d-8a0c-9f8e7d6c5b4a → ' +
            'integrations.opsgenie.https://acme.app.opsgenie.com/service/7d9e5a3c-2b1f-4e6d-8a0c-9f8e7d6c5b4a',
          '  @web-leads@example.com  teams.web',
          '',
          'Dropped catalog contacts (no handle made from them):',
          "  slack C0WEBTEAM1: C0WEBTEAM1 is a Slack channel id; Datadog's handle needs the channel name: map it in " +
            'integrations.slack',
          '  email no-one@localhost: not an email address Datadog can send to (name@domain.tld); fix the contact in ' +
            'the catalog',
          '  slack https://hooks.slack.com/services/T0001/B0001/…: a webhook URL is not a channel, and its last part ' +
            'is a secret (never copied into output); map the URL without that part in integrations.webhooks to the ' +
            'name of a Datadog webhook integration',
          "  pagerduty PWEB001: Datadog's handle is the service name configured in its PagerDuty integration, which " +
            'the catalog does not hold: map PWEB001 in integrations.pagerduty',
          '',
        ].join('\n'),
      );
      expect(text).not.toContain('AbCdEfGh');
      const json = await run(['policy', 'explain', 'api', '--config', 'conf/th.yaml', '--json'], dir);
      expect(json.stdout).not.toContain('AbCdEfGh');
      const parsed = JSON.parse(json.stdout) as { service: { routing: { dropped: { cause: string }[] } } };
      expect(parsed.service.routing.dropped.map((d) => d.cause)).toStrictEqual([
        'slack-unmapped',
        'email-invalid',
        'webhook-unmapped',
        'pagerduty-unmapped',
      ]);
    });

    it('shows requireRoute NOT MET for a covered service that would tell nobody', async () => {
      writeFileSync(path.join(dir, 'conf', 'th.yaml'), 'catalog: services\nrequireRoute: { on: [alert] }\n');
      const r = await run(['policy', 'explain', 'api', '--config', 'conf/th.yaml'], dir);
      expect(r.stdout).toMatch(/^requireRoute +NOT MET: nobody on alert +requireRoute$/m);
      expect(r.stdout).toContain('  alert     (nobody)\n');
    });

    it('reads the catalog relative to the policy file, not the working folder', async () => {
      writeFileSync(path.join(dir, 'conf', 'th.yaml'), 'catalog: services\nstacks: { by: service }\n');
      const r = await run(['policy', 'explain', 'api', '--config', 'conf/th.yaml'], dir);
      expect([r.code, r.stderr]).toStrictEqual([0, '']);
      expect(r.stdout).toMatch(/^stack +service-api +stacks\.by: service$/m);
      expect(r.stdout).toMatch(/^state +local terraform\.service-api\.tfstate +builtin$/m);
    });

    it('fails with every problem of an invalid policy and exit code 2', async () => {
      writeFileSync(
        path.join(dir, 'conf', 'th.yaml'),
        'catalog: services\ndefaults: { orphanRate: { critical: 1.5 } }\n',
      );
      expect(await run(['policy', 'explain', 'api', '-c', 'conf/th.yaml'], dir)).toStrictEqual({
        code: 2,
        stdout: '',
        stderr: 'trace-health: conf/th.yaml:2:37: defaults.orphanRate.critical: 1.5 is not a ratio between 0 and 1\n',
      });
    });

    it('fails when the policy names a team the catalog lacks', async () => {
      writeFileSync(path.join(dir, 'conf', 'th.yaml'), 'catalog: services\nteams: { wbe: {} }\n');
      const r = await run(['policy', 'explain', 'api', '-c', 'conf/th.yaml'], dir);
      expect([r.code, r.stderr]).toStrictEqual([
        2,
        'trace-health: conf/th.yaml:2:10: teams.wbe: "wbe" is not a team in the catalog (did you mean "web"?)\n',
      ]);
    });

    it('fails at the catalog: line when an absolute catalog path does not exist, showing it as written', async () => {
      writeFileSync(path.join(dir, 'conf', 'th.yaml'), 'site: datadoghq.eu\ncatalog: /nonexistent\n');
      expect(await run(['policy', 'explain', 'api', '-c', 'conf/th.yaml'], dir)).toStrictEqual({
        code: 2,
        stdout: '',
        stderr:
          'trace-health: conf/th.yaml:2:10: catalog: "/nonexistent" not found (a folder of service definitions or ' +
          'a snapshot .json)\n',
      });
    });

    it("says where a relative catalog path was looked for (the policy file's folder)", async () => {
      writeFileSync(path.join(dir, 'conf', 'th.yaml'), 'catalog: servicez\n');
      const r = await run(['policy', 'explain', 'api', '-c', 'conf/th.yaml'], dir);
      expect([r.code, r.stderr]).toStrictEqual([
        2,
        'trace-health: conf/th.yaml:1:10: catalog: "servicez" not found (a folder of service definitions or a ' +
          'snapshot .json); looked for conf/servicez\n',
      ]);
    });

    it('names catalog files by absolute path when catalog: is absolute', async () => {
      const services = path.join(dir, 'conf', 'services');
      writeFileSync(path.join(services, 'bad.yaml'), 'schema-version: v2\n');
      writeFileSync(path.join(dir, 'conf', 'th.yaml'), `catalog: ${JSON.stringify(services)}\n`);
      const r = await run(['policy', 'explain', 'api', '-c', 'conf/th.yaml'], dir);
      const shown = services.split(path.sep).join('/');
      expect([r.code, r.stderr]).toStrictEqual([
        2,
        `trace-health: ${shown}/bad.yaml:1:1: dd-service is missing: every definition needs a name\n`,
      ]);
    });

    it('rejects a policy file that is not UTF-8', async () => {
      writeFileSync(
        path.join(dir, 'conf', 'th.yaml'),
        Buffer.from('catalog: services\nteams: { w\xe9b: {} }\n', 'latin1'),
      );
      const r = await run(['policy', 'explain', 'api', '-c', 'conf/th.yaml'], dir);
      expect([r.code, r.stderr]).toStrictEqual([
        2,
        'trace-health: conf/th.yaml:2:11: not valid UTF-8: byte 0xe9 at byte offset 28 (save the file as UTF-8)\n',
      ]);
    });

    it('fails when the policy file is missing (default ./trace-health.yaml)', async () => {
      expect(await run(['policy', 'explain', 'api'], dir)).toStrictEqual({
        code: 2,
        stdout: '',
        stderr: 'trace-health: trace-health.yaml: no such policy file (create it, or pass --config FILE)\n',
      });
    });
  });
});
