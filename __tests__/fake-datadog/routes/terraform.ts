/**
 * What the Datadog Terraform provider (3.82.0) calls for the resource types trace-health generates, so that
 * `terraform plan` (and `apply`, then a second `plan`) can run against the fake on loopback:
 *
 * - plan: `GET /api/v1/validate` (the key check, once per plan), `POST /api/v1/monitor/validate` for every new monitor whose query and type are known, and
 *   `POST /api/v1/monitor/{id}/validate` for every existing one;
 * - apply / refresh: create, read, update and delete of monitors, SLOs, dashboards (`datadog_dashboard_json`),
 *   manual dashboard lists (and their v2 item endpoints) and span-based metrics.
 *
 * The store keeps what it was sent and adds what Datadog adds (ids, timestamps, creator), nothing else: a second
 * plan that shows changes then means the provider diffs its own input against itself — a perpetual diff.
 *
 * Every request body is first read with the API client's own model for the endpoint (`requestBody` in
 * ../api-models.ts): an unknown enum value, a missing required attribute or a wrong type is a 400 with Datadog's
 * error shape. Monitors then get the checks Datadog's API applies that a generator can get wrong, all in
 * `checkMonitor` (non-empty name; the query's threshold equal to `options.thresholds.critical`); the messages are
 * the fake's own wording. Tests add their own rule with `terraformRoutes({ validateMonitor })`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseMonitorQuery, PARSED_MONITOR_TYPES, QueryParseError } from '../../../src/simulate/query';
import { badRequest, modelCheck, modelProblem, requestBody } from '../api-models';
import { FakeDatadog, FakePlugin } from '../server';

type Json = Record<string, unknown>;

export interface TerraformStore {
  readonly monitors: Map<string, Json>;
  readonly slos: Map<string, Json>;
  readonly dashboards: Map<string, Json>;
  readonly dashboardLists: Map<string, Json>;
  /** Dashboard ids in each manual list, by list id. */
  readonly dashboardListItems: Map<string, Json[]>;
  readonly spansMetrics: Map<string, Json>;
}

export interface TerraformRoutesOptions {
  /** Extra monitor check: return an error message to reject the monitor with 400, or undefined to accept. */
  readonly validateMonitor?: (monitor: Json) => string | undefined;
}

const FIXED_TIME = '2026-01-01T00:00:00.000000+00:00';
const CREATOR = { email: 'terraform@example.com', handle: 'terraform@example.com', name: 'Terraform' };

/** The store behind the routes, shared through `dd.state.terraform` (created on first use). */
export function terraformStore(dd: FakeDatadog): TerraformStore {
  if (!dd.state.terraform) {
    dd.state.terraform = {
      monitors: new Map(),
      slos: new Map(),
      dashboards: new Map(),
      dashboardLists: new Map(),
      dashboardListItems: new Map(),
      spansMetrics: new Map(),
    } satisfies TerraformStore;
  }
  return dd.state.terraform as TerraformStore;
}

export function terraformRoutes(opts: TerraformRoutesOptions = {}): FakePlugin {
  return (app: FastifyInstance, dd: FakeDatadog) => {
    const store = terraformStore(dd);
    let nextMonitorId = 1000;
    let nextListId = 500;
    let nextSloId = 1;
    let nextDashboardId = 1;
    let nextWidgetId = 1000000000000001;

    const notFound = (reply: FastifyReply, what: string) => reply.code(404).send({ errors: [`${what} not found`] });

    // ---- monitors -------------------------------------------------------------------------------------------
    const validate = (body: unknown): string | undefined => checkMonitor(body) ?? opts.validateMonitor?.(body as Json);
    app.post('/api/v1/monitor/validate', async (req, reply) => {
      return requestBody(req, reply, validate) ? {} : reply;
    });
    app.post<{ Params: { id: string } }>('/api/v1/monitor/:id/validate', async (req, reply) => {
      if (!store.monitors.has(req.params.id)) return notFound(reply, 'Monitor');
      return requestBody(req, reply, validate) ? {} : reply;
    });
    app.post('/api/v1/monitor', async (req, reply) => {
      const body = requestBody(req, reply, validate);
      if (!body) return reply;
      const id = nextMonitorId++;
      const monitor = {
        ...body,
        options: datadogMonitorOptions(body.options),
        id,
        created: FIXED_TIME,
        modified: FIXED_TIME,
        creator: CREATOR,
        overall_state: 'No Data',
        multi: false,
        deleted: null,
      };
      store.monitors.set(String(id), monitor);
      return monitor;
    });
    app.get<{ Params: { id: string } }>('/api/v1/monitor/:id', async (req, reply) => {
      return store.monitors.get(req.params.id) ?? notFound(reply, 'Monitor');
    });
    app.put<{ Params: { id: string } }>('/api/v1/monitor/:id', async (req, reply) => {
      const old = store.monitors.get(req.params.id);
      if (!old) return notFound(reply, 'Monitor');
      const body = requestBody(req, reply, modelCheck('v1', 'MonitorUpdateRequest'));
      if (!body) return reply;
      const problem = validate({ ...old, ...body });
      if (problem) return badRequest(reply, problem);
      const monitor = {
        ...old,
        ...body,
        options: datadogMonitorOptions(body.options),
        id: old.id,
        modified: FIXED_TIME,
      };
      store.monitors.set(req.params.id, monitor);
      return monitor;
    });
    app.delete<{ Params: { id: string } }>('/api/v1/monitor/:id', async (req, reply) => {
      if (!store.monitors.delete(req.params.id)) return notFound(reply, 'Monitor');
      return { deleted_monitor_id: Number(req.params.id) };
    });
    app.get('/api/v1/monitor/can_delete', async () => ({ data: { ok: [] }, errors: null }));

    // ---- service level objectives ------------------------------------------------------------------------
    app.post('/api/v1/slo', async (req, reply) => {
      const body = requestBody(req, reply, modelCheck('v1', 'ServiceLevelObjectiveRequest'));
      if (!body) return reply;
      const id = `slo${String(nextSloId++).padStart(29, '0')}`;
      const slo = {
        ...datadogSlo(body),
        id,
        created_at: 1767225600,
        modified_at: 1767225600,
        creator: CREATOR,
      };
      store.slos.set(id, slo);
      return { data: [slo], error: null };
    });
    app.get<{ Params: { id: string } }>('/api/v1/slo/:id', async (req, reply) => {
      const slo = store.slos.get(req.params.id);
      return slo ? { data: slo, errors: [] } : notFound(reply, 'SLO');
    });
    app.put<{ Params: { id: string } }>('/api/v1/slo/:id', async (req, reply) => {
      const old = store.slos.get(req.params.id);
      if (!old) return notFound(reply, 'SLO');
      const body = requestBody(req, reply, modelCheck('v1', 'ServiceLevelObjective'));
      if (!body) return reply;
      const slo = { ...old, ...datadogSlo(body), id: old.id };
      store.slos.set(req.params.id, slo);
      return { data: [slo], errors: [] };
    });
    app.delete<{ Params: { id: string } }>('/api/v1/slo/:id', async (req, reply) => {
      if (!store.slos.delete(req.params.id)) return notFound(reply, 'SLO');
      return { data: [req.params.id], errors: {} };
    });

    // ---- dashboards ---------------------------------------------------------------------------------------
    app.post('/api/v1/dashboard', async (req, reply) => {
      const body = requestBody(req, reply, modelCheck('v1', 'Dashboard'));
      if (!body) return reply;
      const n = nextDashboardId++;
      const id = `abc-${String(n).padStart(3, '0')}-xyz`;
      const dashboard = {
        ...body,
        widgets: withWidgetIds(body.widgets, () => nextWidgetId++),
        id,
        url: `/dashboard/${id}/${slug(String(body.title ?? ''))}`,
        author_handle: CREATOR.handle,
        author_name: CREATOR.name,
        created_at: FIXED_TIME,
        modified_at: FIXED_TIME,
      };
      store.dashboards.set(id, dashboard);
      return dashboard;
    });
    app.get<{ Params: { id: string } }>('/api/v1/dashboard/:id', async (req, reply) => {
      return store.dashboards.get(req.params.id) ?? notFound(reply, 'Dashboard');
    });
    app.put<{ Params: { id: string } }>('/api/v1/dashboard/:id', async (req, reply) => {
      const old = store.dashboards.get(req.params.id);
      if (!old) return notFound(reply, 'Dashboard');
      const body = requestBody(req, reply, modelCheck('v1', 'Dashboard'));
      if (!body) return reply;
      const dashboard = {
        ...body,
        widgets: withWidgetIds(body.widgets, () => nextWidgetId++),
        id: old.id,
        url: old.url,
        author_handle: old.author_handle,
        author_name: old.author_name,
        created_at: old.created_at,
        modified_at: FIXED_TIME,
      };
      store.dashboards.set(req.params.id, dashboard);
      return dashboard;
    });
    app.delete<{ Params: { id: string } }>('/api/v1/dashboard/:id', async (req, reply) => {
      if (!store.dashboards.delete(req.params.id)) return notFound(reply, 'Dashboard');
      return { deleted_dashboard_id: req.params.id };
    });

    // ---- manual dashboard lists (v1 for the list, v2 for its items) ---------------------------------------
    app.post('/api/v1/dashboard/lists/manual', async (req, reply) => {
      const body = requestBody(req, reply, modelCheck('v1', 'DashboardList'));
      if (!body) return reply;
      const id = nextListId++;
      const list = {
        ...body,
        id,
        type: 'manual_dashboard_list',
        is_favorite: false,
        dashboard_count: 0,
        created: FIXED_TIME,
        modified: FIXED_TIME,
        author: { handle: CREATOR.handle, name: CREATOR.name },
      };
      store.dashboardLists.set(String(id), list);
      store.dashboardListItems.set(String(id), []);
      return list;
    });
    app.get<{ Params: { id: string } }>('/api/v1/dashboard/lists/manual/:id', async (req, reply) => {
      const list = store.dashboardLists.get(req.params.id);
      if (!list) return notFound(reply, 'Dashboard list');
      return { ...list, dashboard_count: store.dashboardListItems.get(req.params.id)?.length ?? 0 };
    });
    app.put<{ Params: { id: string } }>('/api/v1/dashboard/lists/manual/:id', async (req, reply) => {
      const old = store.dashboardLists.get(req.params.id);
      if (!old) return notFound(reply, 'Dashboard list');
      const body = requestBody(req, reply, modelCheck('v1', 'DashboardList'));
      if (!body) return reply;
      const list = { ...old, ...body, id: old.id, modified: FIXED_TIME };
      store.dashboardLists.set(req.params.id, list);
      return list;
    });
    app.delete<{ Params: { id: string } }>('/api/v1/dashboard/lists/manual/:id', async (req, reply) => {
      if (!store.dashboardLists.delete(req.params.id)) return notFound(reply, 'Dashboard list');
      store.dashboardListItems.delete(req.params.id);
      return { deleted_dashboard_list_id: Number(req.params.id) };
    });
    const itemsPath = '/api/v2/dashboard/lists/manual/:id/dashboards';
    const items = (id: string) => store.dashboardListItems.get(id);
    const itemView = (d: Json) => {
      const dash = store.dashboards.get(String(d.id));
      return { id: d.id, type: d.type, title: dash?.title, url: dash?.url, is_read_only: false, is_shared: false };
    };
    app.get<{ Params: { id: string } }>(itemsPath, async (req, reply) => {
      const list = items(req.params.id);
      if (!list) return notFound(reply, 'Dashboard list');
      return { dashboards: list.map(itemView), total: list.length };
    });
    app.post<{ Params: { id: string } }>(itemsPath, async (req, reply) => {
      const list = items(req.params.id);
      if (!list) return notFound(reply, 'Dashboard list');
      const body = requestBody(req, reply, modelCheck('v2', 'DashboardListAddItemsRequest'));
      if (!body) return reply;
      const added = dashboardRefs(body).filter((d) => !list.some((x) => x.id === d.id));
      list.push(...added);
      return { added_dashboards_to_list: added };
    });
    app.put<{ Params: { id: string } }>(itemsPath, async (req, reply) => {
      if (!items(req.params.id)) return notFound(reply, 'Dashboard list');
      const body = requestBody(req, reply, modelCheck('v2', 'DashboardListUpdateItemsRequest'));
      if (!body) return reply;
      const list = dashboardRefs(body);
      store.dashboardListItems.set(req.params.id, list);
      return { dashboards: list };
    });
    app.delete<{ Params: { id: string } }>(itemsPath, async (req, reply) => {
      const list = items(req.params.id);
      if (!list) return notFound(reply, 'Dashboard list');
      const body = requestBody(req, reply, modelCheck('v2', 'DashboardListDeleteItemsRequest'));
      if (!body) return reply;
      const gone = dashboardRefs(body);
      store.dashboardListItems.set(
        req.params.id,
        list.filter((d) => !gone.some((g) => g.id === d.id)),
      );
      return { deleted_dashboards_from_list: gone };
    });

    // ---- span-based metrics (v2, JSON:API) ----------------------------------------------------------------
    const metricsPath = '/api/v2/apm/config/metrics';
    app.post(metricsPath, async (req, reply) => {
      const body = requestBody<{ data: Json }>(req, reply, modelCheck('v2', 'SpansMetricCreateRequest'));
      if (!body) return reply;
      const data = body.data;
      // Provider 3.82.0 sends the name JSON-quoted (`"\"name\""`, from types.String.String()); Datadog strips
      // the quotes and answers with the bare name, which the provider then keeps.
      const id = String(data.id).replace(/^"(.*)"$/, '$1');
      if (!id) return badRequest(reply, 'invalid SpansMetricCreateRequest: data.id: empty metric name');
      if (id.startsWith('trace.')) return badRequest(reply, `metric name ${id} is reserved (trace.*)`);
      if (store.spansMetrics.has(id)) return reply.code(409).send({ errors: [`metric ${id} already exists`] });
      const metric = { id, type: 'spans_metrics', attributes: (data.attributes ?? {}) as Json };
      store.spansMetrics.set(id, metric);
      return { data: metric };
    });
    app.get<{ Params: { id: string } }>(`${metricsPath}/:id`, async (req, reply) => {
      const metric = store.spansMetrics.get(req.params.id);
      return metric ? { data: metric } : notFound(reply, 'Span-based metric');
    });
    app.patch<{ Params: { id: string } }>(`${metricsPath}/:id`, async (req, reply) => {
      const old = store.spansMetrics.get(req.params.id);
      if (!old) return notFound(reply, 'Span-based metric');
      const body = requestBody<{ data: Json }>(req, reply, modelCheck('v2', 'SpansMetricUpdateRequest'));
      if (!body) return reply;
      const attrs = (body.data.attributes ?? {}) as Json;
      const before = old.attributes as Json;
      // An update's compute carries only include_percentiles (SpansMetricUpdateCompute): the aggregation type and
      // path cannot change and stay as created.
      const compute = attrs.compute ? { compute: { ...(before.compute as Json), ...(attrs.compute as Json) } } : {};
      const metric = { ...old, attributes: { ...before, ...attrs, ...compute } };
      store.spansMetrics.set(req.params.id, metric);
      return { data: metric };
    });
    app.delete<{ Params: { id: string } }>(`${metricsPath}/:id`, async (req, reply) => {
      if (!store.spansMetrics.delete(req.params.id)) return notFound(reply, 'Span-based metric');
      return reply.code(204).send();
    });
  };
}

/**
 * Every check the fake applies to a monitor definition (create, update, validate): the API client's `Monitor`
 * model first (type, query, option enums and types), then Datadog's own rules. Undefined when it is accepted.
 */
export function checkMonitor(body: unknown): string | undefined {
  const invalid = modelProblem(body, 'v1', 'Monitor');
  if (invalid) return invalid;
  const m = body as Json & { type: string; query: string };
  if (typeof m.name !== 'string' || m.name === '') return "The value provided for parameter 'name' is invalid: missing";
  if (m.query.trim() === '') return "The value provided for parameter 'query' is invalid: missing";
  // A query the simulator cannot parse is refused: what passes here is what `trace-health simulate` evaluates.
  if ((PARSED_MONITOR_TYPES as readonly string[]).includes(m.type))
    try {
      parseMonitorQuery(m.type, m.query);
    } catch (e) {
      if (e instanceof QueryParseError) return `The value provided for parameter 'query' is invalid: ${e.message}`;
      throw e;
    }
  if (m.type === 'query alert' || m.type === 'metric alert') {
    const match = /(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/.exec(m.query);
    if (!match)
      return `The value provided for parameter 'query' is invalid: no comparison with a threshold in ${m.query}`;
    const critical = ((m.options as Json | undefined)?.thresholds as Json | undefined)?.critical;
    if (critical !== undefined && Number(critical) !== Number(match[2]))
      return `Alert threshold (${String(critical)}) does not match that used in the query (${match[2]}).`;
  }
  return undefined;
}

/**
 * Options as Datadog stores them: it adds `notify_audit: false` and `silenced: {}` when absent and drops empty
 * thresholds (seen in the provider's recorded API responses), so a provider that diffed those would show it here.
 */
function datadogMonitorOptions(options: unknown): Json {
  const o: Json = { notify_audit: false, silenced: {}, ...((options ?? {}) as Json) };
  if (o.thresholds && typeof o.thresholds === 'object' && Object.keys(o.thresholds).length === 0) delete o.thresholds;
  return o;
}

/** An SLO as Datadog returns it: with `monitor_tags`, `type_id` and display strings on every threshold. */
function datadogSlo(body: Json): Json {
  const typeIds: Record<string, number> = { monitor: 0, metric: 1, time_slice: 2 };
  const thresholds = Array.isArray(body.thresholds)
    ? (body.thresholds as Json[]).map((t) => ({
        ...t,
        target_display: String(t.target),
        ...(t.warning === undefined ? {} : { warning_display: String(t.warning) }),
      }))
    : body.thresholds;
  return { monitor_tags: [], ...body, thresholds, type_id: typeIds[String(body.type)] ?? 1 };
}

/** Datadog gives every widget (and every widget of a group) an id, and returns it from then on. */
function withWidgetIds(widgets: unknown, nextId: () => number): unknown {
  if (!Array.isArray(widgets)) return widgets;
  return widgets.map((w: Json) => {
    const def = (w.definition ?? {}) as Json;
    const definition = Array.isArray(def.widgets) ? { ...def, widgets: withWidgetIds(def.widgets, nextId) } : def;
    return { ...w, definition, id: typeof w.id === 'number' ? w.id : nextId() };
  });
}

function dashboardRefs(body: unknown): Json[] {
  const list = (body as { dashboards?: unknown } | undefined)?.dashboards;
  return Array.isArray(list) ? (list as Json[]).map((d) => ({ id: d.id, type: d.type })) : [];
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
