/**
 * Terraform addresses. A resource's logical id is part of its Terraform address: change it and Terraform destroys
 * the monitor (losing its history and mute state) and creates a new one. So ids are built from stable names only —
 * service, env, check, tag — never from list positions, and they are readable in a `terraform plan`
 * (`datadog_monitor.checkout-api_prod_orphan-rate`) instead of cdktf's default hashed ids.
 */

/**
 * The logical id of the element at construct path `components` (below its stack): components joined with `_`,
 * characters Terraform does not allow in identifiers replaced by `_`, and a leading `_` when the first character
 * is not a letter. Stacks use exactly this function (see stacks/base.ts), so factories can compute a reference
 * to a resource before, or without, creating it.
 */
export function logicalId(components: readonly string[]): string {
  const id = components.join('_').replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}

/** An id segment from free text (a tag like `usr.id`, an env): `[a-z0-9-]`, readable. */
export function idSegment(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s === '' ? 'x' : s;
}
