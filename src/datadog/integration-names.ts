/**
 * Names configured in Datadog's notification integrations, for routing (src/policy/routing.ts): fetched by
 * `catalog pull --integrations` (integration-pull.ts) and kept in the snapshot beside the definitions; read back
 * here for synth, without loading the API client.
 *
 * What Datadog's API can list, per @datadog/datadog-api-client 1.64 (the only integrations with a list call):
 * - Opsgenie: `OpsgenieIntegrationApi.listOpsgenieServices` → `GET /api/v2/integration/opsgenie/services`, each with
 *   `attributes.name` (the `@opsgenie-<name>` handle), no Opsgenie service id: names to check the policy's map
 *   against, not a map by themselves (docs: api/latest/opsgenie-integration, "Get all service objects").
 * - Microsoft Teams: `MicrosoftTeamsIntegrationApi.listTenantBasedHandles` →
 *   `GET /api/v2/integration/ms-teams/configuration/tenant-based-handles`, each with `attributes.name` (the
 *   `@teams-<name>` handle) and `attributes.channelId`, the id a catalog Teams channel link carries: the one case
 *   where the mapping writes itself (docs: api/latest/microsoft-teams-integration, "Get all tenant-based handles").
 * Not listable: PagerDuty (`PagerDutyIntegrationApi` has only get/create/update/delete of one service object by
 * name), Slack (`SlackIntegrationApi.getSlackIntegrationChannels` needs the Slack account name, which no call
 * lists, and returns channel names without the channel ids a catalog holds), webhooks
 * (`WebhooksIntegrationApi.getWebhooksIntegration` by name only). Those keep the explicit `integrations` map.
 */
import { readFileSync, statSync } from 'node:fs';
import { UserErrors } from '../errors';
import type { IntegrationNames } from '../policy/routing';

/**
 * The `integrations` of a parsed snapshot, checked; undefined when the snapshot has none. Problems name the file
 * and the key path: `catalog/snapshot.json: integrations.opsgenie.services[2]: must be a non-empty string`.
 */
export function integrationNamesOf(snapshot: unknown, file: string): IntegrationNames | undefined {
  if (!isObject(snapshot) || snapshot.integrations === undefined) return undefined;
  const problems: string[] = [];
  const bad = (where: string, what: string) => problems.push(`${file}: integrations${where}: ${what}`);
  const raw = snapshot.integrations;
  if (!isObject(raw)) {
    bad('', 'must be an object (as `catalog pull --integrations` writes it)');
    throw new UserErrors(problems);
  }
  const out: {
    opsgenie?: { services: string[] };
    microsoftTeams?: { handles: { name: string; channelId?: string }[] };
  } = {};
  if (raw.opsgenie !== undefined) {
    const services = isObject(raw.opsgenie) ? raw.opsgenie.services : undefined;
    if (!Array.isArray(services)) bad('.opsgenie.services', 'must be a list of names');
    else {
      services.forEach((s, i) => {
        if (typeof s !== 'string' || s === '') bad(`.opsgenie.services[${i}]`, 'must be a non-empty string');
      });
      out.opsgenie = { services: services.filter((s): s is string => typeof s === 'string') };
    }
  }
  if (raw.microsoftTeams !== undefined) {
    const handles = isObject(raw.microsoftTeams) ? raw.microsoftTeams.handles : undefined;
    if (!Array.isArray(handles)) bad('.microsoftTeams.handles', 'must be a list of {name, channelId}');
    else {
      const list: { name: string; channelId?: string }[] = [];
      handles.forEach((h, i) => {
        if (!isObject(h) || typeof h.name !== 'string' || h.name === '')
          bad(`.microsoftTeams.handles[${i}]`, 'must be an object with a non-empty name');
        else if (h.channelId !== undefined && typeof h.channelId !== 'string')
          bad(`.microsoftTeams.handles[${i}].channelId`, 'must be a string');
        else list.push({ name: h.name, ...(h.channelId ? { channelId: h.channelId } : {}) });
      });
      out.microsoftTeams = { handles: list };
    }
  }
  for (const key of Object.keys(raw))
    if (key !== 'opsgenie' && key !== 'microsoftTeams')
      bad(`.${key}`, 'unknown integration (opsgenie, microsoftTeams)');
  if (problems.length) throw new UserErrors(problems);
  return out;
}

/**
 * The integration names recorded in the catalog snapshot at `file` (absolute), if the catalog is a snapshot that
 * has them. Called after the catalog was loaded, so the file is known to be valid JSON; `shown` names it in
 * messages.
 */
export function readIntegrationNames(file: string, shown: string): IntegrationNames | undefined {
  if (!file.toLowerCase().endsWith('.json') || !statSync(file, { throwIfNoEntry: false })?.isFile()) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // the catalog reader reports an unreadable snapshot, with its position
  }
  return integrationNamesOf(json, shown);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
