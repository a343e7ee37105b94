import { Testing } from 'cdktf';
import { backendForStack } from '../../src/policy/stacks';
import type { BackendConfig } from '../../src/policy/model';
import { CoreStack } from '../../stacks';
import { policy } from '../constructs/fixtures';
import { testApp } from '../cdktf-app';

function terraformBlock(backend: BackendConfig, site = 'datadoghq.com', policyDirFromStack = '../../..') {
  const stack = new CoreStack(testApp(), 'core', {
    site,
    backend: backendForStack(backend, 'core'),
    policyDirFromStack,
    services: [policy('a')],
  });
  return JSON.parse(Testing.synth(stack)) as {
    terraform: { backend: Record<string, unknown> };
    provider: { datadog: Record<string, unknown>[] };
    variable: Record<string, { default: string }>;
  };
}

describe('backends from the policy, per stack', () => {
  test('local: relative to the policy folder, seen from the stack folder', () => {
    expect(terraformBlock({ type: 'local' }).terraform.backend).toEqual({
      local: { path: '../../../terraform.core.tfstate' },
    });
    expect(
      terraformBlock({ type: 'local', path: 'state/{stack}.tfstate' }, 'datadoghq.com', '../../../infra').terraform
        .backend,
    ).toEqual({
      local: { path: '../../../infra/state/core.tfstate' },
    });
  });

  test('s3, gcs and HCP Terraform (remote), `{stack}` replaced', () => {
    expect(
      terraformBlock({ type: 's3', bucket: 'tf-state', region: 'eu-west-1', dynamodbTable: 'locks' }).terraform.backend,
    ).toEqual({
      s3: { bucket: 'tf-state', key: 'trace-health/core.tfstate', region: 'eu-west-1', dynamodb_table: 'locks' },
    });
    expect(terraformBlock({ type: 'gcs', bucket: 'tf-state', prefix: 'obs/{stack}' }).terraform.backend).toEqual({
      gcs: { bucket: 'tf-state', prefix: 'obs/core' },
    });
    expect(terraformBlock({ type: 'remote', organization: 'acme', hostname: 'tfe.acme.io' }).terraform.backend).toEqual(
      {
        remote: { organization: 'acme', hostname: 'tfe.acme.io', workspaces: { name: 'trace-health-core' } },
      },
    );
  });
});

describe('provider', () => {
  test('no keys in the configuration; the API URL is a variable defaulting to the policy site', () => {
    const eu = terraformBlock({ type: 'local' }, 'datadoghq.eu');
    expect(eu.provider.datadog).toEqual([{ api_url: '${var.datadog_api_url}' }]);
    expect(eu.variable.datadog_api_url.default).toBe('https://api.datadoghq.eu/');
    expect(terraformBlock({ type: 'local' }, 'ddog-gov.com').variable.datadog_api_url.default).toBe(
      'https://api.ddog-gov.com/',
    );
  });

  test('environment values at synth time do not reach the output', () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      DD_API_KEY: 'secret-api-key-123',
      DD_APP_KEY: 'secret-app-key-456',
      DD_HOST: 'https://proxy.internal.example',
      DD_SITE: 'us5.datadoghq.com',
    });
    try {
      const text = JSON.stringify(terraformBlock({ type: 'local' }));
      for (const v of ['secret-api-key-123', 'secret-app-key-456', 'proxy.internal', 'us5.datadoghq.com'])
        expect(text).not.toContain(v);
    } finally {
      process.env = saved;
    }
  });
});
