import * as path from 'node:path';
import { loadCatalog } from '../../src/catalog';
import { UserError } from '../../src/errors';
import { backendForStack, loadPolicy, policyCatalogPath, resolvePolicy } from '../../src/policy';
import { EXAMPLE_POLICY } from '../example-policy';

const ROOT = path.join(__dirname, '..', '..');

describe('the example trace-health.yaml with the bundled example catalog', () => {
  const doc = loadPolicy(`./${EXAMPLE_POLICY}`, { cwd: ROOT });
  const policy = resolvePolicy(doc, loadCatalog('examples/catalog', { cwd: ROOT }));
  const byName = new Map(policy.services.map((s) => [s.service, s]));

  it('names the file as given, normalized, and resolves the catalog next to it', () => {
    expect(doc.file).toBe(EXAMPLE_POLICY);
    expect(policyCatalogPath(doc)).toBe(path.join(ROOT, 'examples', 'catalog'));
  });

  it('resolves every example service (not the datastore, queue or system) into its team stack', () => {
    expect(
      policy.services.map((s) => `${s.service} ${s.stack} P${s.priority} ${s.enabled ? 'on' : 'off'}`),
    ).toStrictEqual([
      'auth-api team-identity P1 on',
      'billing team-payments P2 on',
      'cart-service team-checkout P2 on',
      'checkout-api team-checkout P1 on',
      'fraud-scorer team-payments P2 on',
      'inventory-api team-checkout P2 on',
      'legacy-batch team-data P3 off',
      'notification-worker team-platform P3 on',
      'payments-api team-payments P1 on',
      'payments-ledger team-payments P2 on',
      'recommendations team-data P3 on',
      'search-api team-data P3 on',
      'user-profile team-identity P2 on',
      'web-gateway team-platform P1 on',
    ]);
    expect([policy.site, policy.envs, policy.entrypoints, policy.stacks.by]).toStrictEqual([
      'datadoghq.com',
      ['prod'],
      ['web-gateway'],
      'team',
    ]);
  });

  it('applies tier 1 and tier 3 overrides, team routing and the billing tag', () => {
    const payments = byName.get('payments-api');
    expect([payments?.orphanRate, payments?.slo, payments?.notify]).toStrictEqual([
      { warning: 0.005, critical: 0.01 },
      { timeframe: '30d', target: 99.9, warning: 99.95 },
      ['@slack-payments-oncall'],
    ]);
    const search = byName.get('search-api');
    expect([search?.minSpans, search?.slo, search?.notify]).toStrictEqual([
      50,
      { timeframe: '30d', target: 98, warning: 99 },
      [],
    ]);
    expect(byName.get('billing')?.requiredTags.map((t) => `${t.tag} ${t.scope}`)).toStrictEqual([
      'usr.id @_top_level:1',
      'error.message status:error',
      'version *',
      'billing.account_id @_top_level:1',
    ]);
    expect(byName.get('user-profile')?.notify).toStrictEqual(['@slack-identity-alerts']);
  });

  it('derives one state per stack', () => {
    expect(backendForStack(policy.stacks.backend, 'team-payments')).toStrictEqual({
      type: 'local',
      path: 'terraform.team-payments.tfstate',
    });
    expect(
      backendForStack({ type: 's3', bucket: 'b', region: 'eu-west-1', key: 'th/{stack}/state' }, 'core'),
    ).toStrictEqual({ type: 's3', bucket: 'b', region: 'eu-west-1', key: 'th/core/state' });
    expect(backendForStack({ type: 'gcs', bucket: 'b' }, 'all')).toStrictEqual({
      type: 'gcs',
      bucket: 'b',
      prefix: 'trace-health/all',
    });
    expect(backendForStack({ type: 'remote', organization: 'acme' }, 'team-data')).toStrictEqual({
      type: 'remote',
      organization: 'acme',
      workspacePrefix: 'trace-health-',
      workspace: 'trace-health-team-data',
    });
  });
});

describe('loadPolicy', () => {
  it('fails when the file is missing, naming it', () => {
    expect(() => loadPolicy('nope/th.yaml', { cwd: ROOT })).toThrow(
      new UserError('nope/th.yaml: no such policy file (create it, or pass --config FILE)'),
    );
  });

  it('fails when the path is a folder', () => {
    expect(() => loadPolicy('examples', { cwd: ROOT })).toThrow(
      new UserError('examples: is a folder, not a policy file'),
    );
  });
});
