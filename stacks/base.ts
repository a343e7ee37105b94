/**
 * What every trace-health stack shares: readable, stable logical ids (see src/constructs/ids.ts), the Datadog
 * provider configured without secrets, and the stack's Terraform backend from the policy.
 */
import {
  GcsBackend,
  LocalBackend,
  NamedRemoteWorkspace,
  RemoteBackend,
  S3Backend,
  TerraformElement,
  TerraformStack,
  TerraformVariable,
} from 'cdktf';
import { Construct, Node } from 'constructs';
import { logicalId } from '../src/constructs/ids';
import { apiUrl } from '../src/datadog/site';
import { DatadogProvider } from '../src/datadog/provider';
import type { BackendConfig } from '../src/policy/model';
import { UserError } from '../src/errors';

export interface TraceHealthStackProps {
  /** Datadog site from the policy (`datadoghq.eu`, …). */
  readonly site: string;
  /** This stack's backend, `{stack}` already replaced (policy `backendForStack`). */
  readonly backend: BackendConfig;
  /**
   * For a local backend: the policy file's folder as seen from the stack's folder in the output
   * (`cdktf.out/stacks/<stack>` → `../../..`), POSIX separators. Local state paths in the policy are relative to
   * the policy's folder; Terraform runs in the stack folder.
   */
  readonly policyDirFromStack: string;
}

/** Name of the Terraform variable holding the Datadog API URL. */
export const API_URL_VARIABLE = 'datadog_api_url';

export class TraceHealthStack extends TerraformStack {
  private readonly allocated = new Map<string, string>();

  constructor(scope: Construct, name: string, props: TraceHealthStackProps) {
    super(scope, name);
    configureProvider(this, props.site);
    addBackend(this, props.backend, props.policyDirFromStack);
  }

  /**
   * cdktf resolves every element once here only to discover cross-stack references, then resolves everything
   * again to write the JSON. Our stacks never reference each other (a deliberate rule: small, independent team
   * states), so the first pass is skipped — it was about 40% of the synth phase.
   */
  prepareStack(): void {
    this.ensureBackendExists();
  }

  /**
   * Logical id = construct path below the stack joined with `_` (`checkout-api_prod_orphan-rate`), instead of
   * cdktf's hashed default. Two paths that sanitize to the same id would silently overwrite each other in the JSON,
   * so that is an error.
   */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const scopes = node.scopes;
    const components = scopes.slice(scopes.indexOf(this) + 1).map((c) => c.node.id);
    const id = logicalId(components);
    const path = components.join('/');
    const previous = this.allocated.get(id);
    if (previous !== undefined && previous !== path)
      throw new UserError(`two resources would get the Terraform address ${id}: ${previous} and ${path}`);
    this.allocated.set(id, path);
    return id;
  }
}

/**
 * The provider block carries no secret: the provider reads `DD_API_KEY` and `DD_APP_KEY` from the environment of
 * `terraform plan/apply` (it also accepts `DATADOG_API_KEY`/`DATADOG_APP_KEY`). The API URL is a Terraform
 * variable whose default comes from the policy's site, so the output is the same on every machine; CI can point a
 * plan elsewhere (a proxy, another site) with `TF_VAR_datadog_api_url` without a new synth. The provider's own
 * `DD_HOST` fallback only applies when `api_url` is unset, and leaving it unset would send every non-US1 site to
 * US1 whenever DD_HOST is missing — so the site in the policy wins, explicitly.
 */
export function configureProvider(stack: TerraformStack, site: string): DatadogProvider {
  const url = new TerraformVariable(stack, API_URL_VARIABLE, {
    type: 'string',
    default: `${apiUrl(site)}/`,
    description:
      'Datadog API URL; defaults to the site in trace-health.yaml. Override with TF_VAR_datadog_api_url (e.g. "$DD_HOST").',
  });
  return new DatadogProvider(stack, 'datadog', { apiUrl: url.stringValue });
}

function posixJoin(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  return a === '' || a === '.' ? b : `${a.replace(/\/+$/, '')}/${b}`;
}

export function addBackend(stack: TerraformStack, backend: BackendConfig, policyDirFromStack: string): void {
  switch (backend.type) {
    case 'local':
      // cdktf's default is an absolute path (machine-dependent output); ours is relative and outside the output
      // folder, which synth replaces wholesale.
      new LocalBackend(stack, {
        path: posixJoin(policyDirFromStack, backend.path ?? `terraform.${stack.node.id}.tfstate`),
      });
      return;
    case 's3':
      new S3Backend(stack, {
        bucket: backend.bucket,
        key: backend.key ?? `trace-health/${stack.node.id}.tfstate`,
        region: backend.region,
        dynamodbTable: backend.dynamodbTable,
      });
      return;
    case 'gcs':
      new GcsBackend(stack, { bucket: backend.bucket, prefix: backend.prefix ?? `trace-health/${stack.node.id}` });
      return;
    case 'remote':
      new RemoteBackend(stack, {
        organization: backend.organization,
        hostname: backend.hostname,
        workspaces: new NamedRemoteWorkspace(backend.workspace ?? `${backend.workspacePrefix ?? ''}${stack.node.id}`),
      });
      return;
  }
}
