/**
 * The terraform binary and CLI config the terraform tests use: what `npm run terraform:provider` prepares
 * (idempotent, so calling it again is cheap once the provider is in the cache).
 */
import { defaultOptions, prepareTerraform } from '../../scripts/terraform-provider';
import type { TerraformSetup } from './harness';

let prepared: Promise<TerraformSetup> | undefined;

export function terraformSetup(): Promise<TerraformSetup> {
  prepared ??= prepareTerraform({ ...defaultOptions(), log: () => undefined });
  return prepared;
}
