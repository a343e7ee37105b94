/**
 * Fake listings of Datadog's notification integrations, shaped as @datadog/datadog-api-client 1.64 reads them:
 * - `GET /api/v2/integration/opsgenie/services` → `{data: [{id, type: "opsgenie-service", attributes: {name,
 *   region, custom_url}}]}` (OpsgenieIntegrationApi.listOpsgenieServices);
 * - `GET /api/v2/integration/ms-teams/configuration/tenant-based-handles` → `{data: [{id, type:
 *   "ms-teams-tenant-based-handle-info", attributes: {name, channel_id, channel_name, team_id, team_name, tenant_id,
 *   tenant_name}}]}` (MicrosoftTeamsIntegrationApi.listTenantBasedHandles).
 * An integration left undefined in the store answers 404 (not set up). Keys are checked like the catalog routes.
 */
import type { FastifyInstance } from 'fastify';
import type { DatadogKeys, FakeDatadog, FakePlugin } from '../server';
import { authorized } from '../server';

export interface IntegrationStore {
  opsgenie?: { name: string }[];
  teams?: { name: string; channelId: string; channelName?: string }[];
  keys?: DatadogKeys;
}

export function integrationRoutes(store: IntegrationStore): FakePlugin {
  return (app: FastifyInstance, _dd: FakeDatadog) => {
    app.get('/api/v2/integration/opsgenie/services', async (req, reply) => {
      if (!authorized(store.keys, req, reply)) return reply;
      if (!store.opsgenie) return reply.code(404).send({ errors: ['Opsgenie integration not found'] });
      return {
        data: store.opsgenie.map((s, i) => ({
          id: `00000000-0000-0000-0000-00000000000${i}`,
          type: 'opsgenie-service',
          attributes: { name: s.name, region: 'us', custom_url: null },
        })),
      };
    });
    app.get('/api/v2/integration/ms-teams/configuration/tenant-based-handles', async (req, reply) => {
      if (!authorized(store.keys, req, reply)) return reply;
      if (!store.teams) return reply.code(404).send({ errors: ['Microsoft Teams integration not found'] });
      return {
        data: store.teams.map((h, i) => ({
          id: `handle-${i}`,
          type: 'ms-teams-tenant-based-handle-info',
          attributes: {
            name: h.name,
            channel_id: h.channelId,
            channel_name: h.channelName ?? 'General',
            team_id: 'team-1',
            team_name: 'Engineering',
            tenant_id: 'tenant-1',
            tenant_name: 'example',
          },
        })),
      };
    });
  };
}
