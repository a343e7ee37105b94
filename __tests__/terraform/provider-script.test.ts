/**
 * `npm run terraform:provider` without the network: the mirror layout, the CLI config, idempotence, and what
 * the user reads when no provider can be had. A stand-in `go` plays the module proxy's refusal.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cliConfigText,
  mirrorPath,
  prepareTerraform,
  PrepareOptions,
  ProviderUnavailable,
  terraformPlatform,
} from '../../scripts/terraform-provider';

const REFUSAL =
  'go: github.com/terraform-providers/terraform-provider-datadog@cc0b64ae7e48d2e0f3c5c13b15ae1a65473865de: ' +
  'invalid version: reading https://proxy.example/…: 403 Forbidden';

describe('terraform-provider script', () => {
  let dir: string;
  let log: string[];
  let base: PrepareOptions;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'th-tf-script-'));
    log = [];
    // A terraform on PATH (never run here) and a go that refuses like the module proxy does for this provider.
    mkdirSync(join(dir, 'path'));
    writeFileSync(join(dir, 'path', 'terraform'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'path', 'terraform'), 0o755);
    const go = join(dir, 'go');
    writeFileSync(go, `#!/bin/sh\necho "${REFUSAL}" >&2\nexit 1\n`);
    chmodSync(go, 0o755);
    base = {
      cacheDir: join(dir, 'cache'),
      offline: true,
      registryUrl: 'http://127.0.0.1:9/none',
      probeTimeoutMs: 500,
      go,
      path: join(dir, 'path'),
      log: (line) => log.push(line),
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the mirror path as Terraform expects it', () => {
    expect(mirrorPath('/m', 'linux_amd64')).toBe(
      '/m/registry.terraform.io/datadog/datadog/3.82.0/linux_amd64/terraform-provider-datadog_v3.82.0',
    );
    expect(terraformPlatform('linux', 'x64')).toBe('linux_amd64');
    expect(terraformPlatform('darwin', 'arm64')).toBe('darwin_arm64');
  });

  it('writes a CLI config that takes DataDog/datadog from the mirror only', () => {
    expect(cliConfigText({ mirrorDir: '/c/mirror', pluginCacheDir: '/c/plugin-cache' })).toBe(
      [
        '# Written by `npm run terraform:provider` (trace-health). Use with TF_CLI_CONFIG_FILE.',
        'plugin_cache_dir = "/c/plugin-cache"',
        '',
        'provider_installation {',
        '  filesystem_mirror {',
        '    path    = "/c/mirror"',
        '    include = ["registry.terraform.io/datadog/datadog"]',
        '  }',
        '  direct {',
        '    exclude = ["registry.terraform.io/datadog/datadog"]',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('lays out a given provider binary as a mirror, idempotently', async () => {
    const binary = join(dir, 'terraform-provider-datadog_v3.82.0');
    writeFileSync(binary, 'provider bytes');
    const first = await prepareTerraform({ ...base, providerBinary: binary });
    const target = mirrorPath(join(dir, 'cache', 'mirror'));
    expect(first).toEqual({
      cliConfig: join(dir, 'cache', 'terraform.rc'),
      terraform: join(dir, 'path', 'terraform'),
      provider: 'given',
      pluginCacheDir: join(dir, 'cache', 'plugin-cache'),
      providerPath: target,
    });
    expect(readFileSync(target, 'utf8')).toBe('provider bytes');
    expect(readFileSync(first.cliConfig, 'utf8')).toContain(`path    = "${join(dir, 'cache', 'mirror')}"`);
    const config = readFileSync(first.cliConfig, 'utf8');

    // Again, without the binary: the mirror is reused, nothing is built, the config is unchanged.
    const second = await prepareTerraform(base);
    expect(second.provider).toBe('mirror');
    expect(readFileSync(second.cliConfig, 'utf8')).toBe(config);
  });

  it('fails when the provider cannot be built, quoting go and saying what to do', async () => {
    const err = await prepareTerraform(base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    const msg = (err as Error).message;
    expect(msg).toContain(
      'cannot build the Datadog provider: go install github.com/terraform-providers/terraform-provider-datadog@cc0b64ae7e48d2e0f3c5c13b15ae1a65473865de failed:',
    );
    expect(msg).toContain(`  ${REFUSAL}`);
    expect(msg).toContain('TRACE_HEALTH_TF_PROVIDER_BINARY=/path/to/terraform-provider-datadog_v3.82.0');
    expect(existsSync(join(dir, 'cache', 'terraform.rc'))).toBe(false);
  });

  it('fails when a given binary does not exist', async () => {
    const err = await prepareTerraform({ ...base, providerBinary: join(dir, 'nope') }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`TRACE_HEALTH_TF_PROVIDER_BINARY: no such file: "${join(dir, 'nope')}"`);
  });

  it('says terraform could not be installed when it is not on PATH and go fails', async () => {
    const err = await prepareTerraform({ ...base, path: join(dir, 'empty') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailable);
    expect((err as Error).message).toContain('terraform is not on PATH and could not be installed with go:');
    expect((err as Error).message).toContain('go install github.com/hashicorp/terraform@v1.11.4:');
    expect((err as Error).message).toContain('go install github.com/hashicorp/terraform@v1.6.6:');
    expect(log).toEqual([`terraform is not on PATH: installing it with go install into ${join(dir, 'cache', 'bin')}`]);
  });

  describe('with a registry that answers', () => {
    let server: Server;
    let url: string;
    beforeEach(async () => {
      server = createServer((_req, res) => res.end('{"providers.v1":"/v1/providers/"}'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/terraform.json`;
    });
    afterEach(() => new Promise((r) => server.close(r)));

    it('builds nothing and writes a config without a mirror', async () => {
      const p = await prepareTerraform({ ...base, offline: false, registryUrl: url });
      expect(p.provider).toBe('registry');
      expect(readFileSync(p.cliConfig, 'utf8')).not.toContain('provider_installation');
      expect(existsSync(join(dir, 'cache', 'mirror'))).toBe(false);
    });

    it('uses the mirror anyway when offline', async () => {
      const err = await prepareTerraform({ ...base, registryUrl: url }).catch((e: unknown) => e);
      expect((err as Error).message).toContain('cannot build the Datadog provider');
    });
  });
});
