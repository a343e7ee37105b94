/**
 * Stack names and per-stack backends. A stack name is part of every Terraform address and of the state location,
 * so it is derived from stable names only: `team-<team>`, `service-<service>` or `all`, plus the reserved `core`.
 */
import { BackendConfig, StackGrouping } from './model';
import { BACKEND_DEFAULTS } from './schema';

/** The stack for org-wide resources (span-based metrics, overview dashboard); no service stack is ever named so. */
export const CORE_STACK = 'core';
/** The single stack when `stacks.by: single`. */
export const SINGLE_STACK = 'all';
/** The team of services whose catalog entry names no team. */
export const UNOWNED_TEAM = 'unowned';

/** Lower-case, `[a-z0-9-]` only, no leading/trailing/double dashes: `Payments_EU` → `payments-eu`. */
export function sanitizeStackPart(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return s === '' ? 'unnamed' : s;
}

/** The stack a service's resources go in. */
export function stackName(by: StackGrouping, service: { readonly name: string; readonly team?: string }): string {
  switch (by) {
    case 'team':
      return `team-${sanitizeStackPart(service.team ?? UNOWNED_TEAM)}`;
    case 'service':
      return `service-${sanitizeStackPart(service.name)}`;
    case 'single':
      return SINGLE_STACK;
  }
}

const STACK_PLACEHOLDER = /\{stack\}/g;

/**
 * The backend of one stack: `{stack}` in the local path, S3 key or GCS prefix replaced by the stack name, the HCP
 * Terraform workspace named `<workspacePrefix><stack>`. The local path stays relative (to the policy file's folder)
 * so that output is identical on every machine.
 */
export function backendForStack(backend: BackendConfig, stack: string): BackendConfig {
  switch (backend.type) {
    case 'local':
      return { type: 'local', path: (backend.path ?? BACKEND_DEFAULTS.localPath).replace(STACK_PLACEHOLDER, stack) };
    case 's3':
      return { ...backend, key: (backend.key ?? BACKEND_DEFAULTS.s3Key).replace(STACK_PLACEHOLDER, stack) };
    case 'gcs':
      return { ...backend, prefix: (backend.prefix ?? BACKEND_DEFAULTS.gcsPrefix).replace(STACK_PLACEHOLDER, stack) };
    case 'remote': {
      const workspacePrefix = backend.workspacePrefix ?? BACKEND_DEFAULTS.remoteWorkspacePrefix;
      return { ...backend, workspacePrefix, workspace: `${workspacePrefix}${stack}` };
    }
  }
}
