/**
 * `catalog pull --integrations`: the names configured in Datadog's Opsgenie and Microsoft Teams integrations, the
 * only notification integrations whose configuration the API lists (see integration-names.ts for the research).
 * Same HTTP layer as the catalog pull: timeouts, retries, keys never in messages.
 */
import {
  BaseServerConfiguration,
  createConfiguration,
} from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common';
import {
  MicrosoftTeamsIntegrationApi,
  OpsgenieIntegrationApi,
} from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2';
import { compareStrings } from '../catalog/problems';
import type { HttpOptions, Keys, PullTarget } from '../catalog/pull';
import { PullFailed, PullHttp } from '../catalog/pull';
import { UserError } from '../errors';
import type { IntegrationNames } from '../policy/routing';

export const OPSGENIE_SERVICES_PATH = '/api/v2/integration/opsgenie/services';
export const TEAMS_HANDLES_PATH = '/api/v2/integration/ms-teams/configuration/tenant-based-handles';

export interface IntegrationPull {
  readonly names: IntegrationNames;
  readonly requests: number;
  readonly retries: number;
}

/** Fetch the listable integration names (two requests; the lists are not paginated in the API). */
export async function pullIntegrationNames(
  target: PullTarget,
  keys: Keys,
  opts: HttpOptions = {},
): Promise<IntegrationPull> {
  const http = new PullHttp(opts, keys);
  const configuration = createConfiguration({
    baseServer: new BaseServerConfiguration(target.baseUrl, {}),
    authMethods: { apiKeyAuth: keys.apiKey, appKeyAuth: keys.appKey },
    httpApi: http,
    enableRetry: false,
  });
  const opsgenie = await call(http, OPSGENIE_SERVICES_PATH, () =>
    new OpsgenieIntegrationApi(configuration).listOpsgenieServices(),
  );
  const teams = await call(http, TEAMS_HANDLES_PATH, () =>
    new MicrosoftTeamsIntegrationApi(configuration).listTenantBasedHandles(),
  );
  const names: {
    opsgenie?: { services: string[] };
    microsoftTeams?: { handles: { name: string; channelId?: string }[] };
  } = {};
  if (opsgenie !== NOT_SET_UP)
    names.opsgenie = {
      services: items(opsgenie, OPSGENIE_SERVICES_PATH).map((a) => stringField(a, 'name', OPSGENIE_SERVICES_PATH)),
    };
  if (teams !== NOT_SET_UP)
    names.microsoftTeams = {
      handles: items(teams, TEAMS_HANDLES_PATH).map((a) => {
        // The typed model says channelId; the wire format is snake_case.
        const channelId = a.channel_id ?? a.channelId;
        return {
          name: stringField(a, 'name', TEAMS_HANDLES_PATH),
          ...(typeof channelId === 'string' && channelId ? { channelId } : {}),
        };
      }),
    };
  return { names: sortNames(names), requests: http.requests, retries: http.retries };
}

/** An integration that is not installed: nothing recorded for it, so none of its handles is reported unknown. */
const NOT_SET_UP = Symbol('not set up');

/**
 * One list call; keys refused here usually mean the application key lacks `integrations_read`. A 404 is read as
 * "this integration is not set up" (the docs do not say what an uninstalled integration answers).
 */
async function call(http: PullHttp, path: string, fn: () => Promise<unknown>): Promise<unknown> {
  try {
    return await http.capture(fn);
  } catch (e) {
    if (e instanceof PullFailed && /: HTTP 404\b/.test(e.message)) return NOT_SET_UP;
    if (e instanceof UserError && !(e instanceof PullFailed) && /HTTP 40[13]/.test(e.message))
      throw new UserError(
        `GET ${path}: Datadog refused the keys (${/HTTP 40[13]/.exec(e.message)![0]}). --integrations needs an ` +
          'application key with the integrations_read permission (the catalog itself needs apm_service_catalog_read); ' +
          'run without --integrations to pull the catalog only',
      );
    throw e;
  }
}

function items(body: unknown, path: string): Record<string, unknown>[] {
  const data = isObject(body) ? body.data : undefined;
  if (data === undefined) return [];
  if (!Array.isArray(data)) throw new PullFailed(`GET ${path}: "data" is not a list`);
  return data.map((item) => {
    const attributes = isObject(item) ? item.attributes : undefined;
    if (!isObject(attributes)) throw new PullFailed(`GET ${path}: an item of "data" has no attributes object`);
    return attributes;
  });
}

function stringField(o: Record<string, unknown>, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new PullFailed(`GET ${path}: an item has no ${key}`);
  return v;
}

/** Canonical order, duplicates dropped: an unchanged configuration gives an unchanged snapshot. */
function sortNames(n: IntegrationNames): IntegrationNames {
  const handles = new Map<string, { name: string; channelId?: string }>();
  for (const h of n.microsoftTeams?.handles ?? []) handles.set(`${h.name}\u0000${h.channelId ?? ''}`, { ...h });
  return {
    ...(n.opsgenie ? { opsgenie: { services: [...new Set(n.opsgenie.services)].sort(compareStrings) } } : {}),
    ...(n.microsoftTeams
      ? {
          microsoftTeams: {
            handles: [...handles.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, h]) => h),
          },
        }
      : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
