/**
 * Plan summary model: what each stack's plan does to Datadog, per resource, in reviewer terms (monitor, SLO,
 * dashboard, span metric; by service; the fields that change), and the destroy guard. Pure: takes parsed plans,
 * returns data that `markdown.ts` renders and `--json` prints as is. Ordering is total and independent of the
 * order of plans and of resources within a plan.
 */
import { compareStrings } from '../catalog/problems';
import { changedFields, FieldChange, lineDiff, notifyHandles, UNKNOWN } from './fields';
import { LabelledPlan, TfResourceChange } from './plan';

export type ResourceKind = 'spanMetric' | 'monitor' | 'slo' | 'dashboard' | 'dashboardList' | 'other';

/**
 * `replace` is Terraform's delete+create (either order); `forget` (a `removed` block) drops a resource from the
 * state and leaves it in Datadog.
 */
export type ChangeAction = 'destroy' | 'replace' | 'update' | 'forget' | 'create';

/** The order actions are listed in: the destructive ones first. */
export const ACTION_ORDER: readonly ChangeAction[] = ['destroy', 'replace', 'update', 'forget', 'create'];

export const KIND_ORDER: readonly ResourceKind[] = [
  'spanMetric',
  'monitor',
  'slo',
  'dashboard',
  'dashboardList',
  'other',
];

const KIND_BY_TYPE: Readonly<Record<string, ResourceKind>> = {
  datadog_spans_metric: 'spanMetric',
  datadog_monitor: 'monitor',
  datadog_monitor_json: 'monitor',
  datadog_service_level_objective: 'slo',
  datadog_dashboard: 'dashboard',
  datadog_dashboard_json: 'dashboard',
  datadog_dashboard_list: 'dashboardList',
};

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly kind: ResourceKind;
  readonly action: ChangeAction;
  /** The service the resource watches (`service:<name>` tag, or found in a dashboard's title); null: org-wide. */
  readonly service: string | null;
  /** Datadog name (monitor, SLO, span metric, list) or dashboard title; the address when there is none. */
  readonly name: string;
  /** Terraform's `action_reason`, e.g. `delete_because_no_resource_config`. */
  readonly reason?: string;
  /** For replacements: the attributes that cannot change in place (`replace_paths`). */
  readonly forcedBy?: readonly string[];
  /** For updates and replacements: what changes, key fields first. */
  readonly fields: readonly FieldChange[];
  /**
   * Set on a destroy and a create of the same type and name in one stack: the same Datadog object under a new
   * Terraform address (a construct id changed). The value is the other address.
   */
  readonly sameNameAs?: string;
}

export type ActionCounts = Record<ChangeAction | 'unchanged', number>;

export interface StackSummary {
  readonly stack: string;
  readonly file: string;
  readonly counts: ActionCounts;
  readonly changes: readonly ResourceChange[];
}

export interface DestroyGuardOptions {
  /** Most resources one stack's plan may destroy (replacements count, as in Terraform's "to destroy"). */
  readonly maxDestroy: number;
  readonly allowDestroy: boolean;
}

export const DEFAULT_MAX_DESTROY = 5;

export interface GuardViolation {
  readonly stack: string;
  readonly reason: 'too-many-destroys' | 'span-metric-destroyed';
  readonly message: string;
  readonly addresses: readonly string[];
}

export interface DestroyGuard extends DestroyGuardOptions {
  /** True when there are violations and destroys were not allowed: the command exits 1. */
  readonly blocked: boolean;
  readonly violations: readonly GuardViolation[];
}

export interface PlanSummary {
  readonly stacks: readonly StackSummary[];
  readonly totals: ActionCounts;
  readonly destroyGuard: DestroyGuard;
}

function emptyCounts(): ActionCounts {
  return { destroy: 0, replace: 0, update: 0, forget: 0, create: 0, unchanged: 0 };
}

/** Terraform's action list → our action; null for no-op and read (nothing happens to Datadog). */
export function actionOf(actions: readonly string[]): ChangeAction | null | 'unknown' {
  const key = actions.join(',');
  switch (key) {
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'delete':
      return 'destroy';
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    case 'forget':
      return 'forget';
    case 'no-op':
    case 'read':
    case '':
      return null;
    default:
      return 'unknown';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Parse a JSON-string attribute (dashboard_json `dashboard`, monitor_json `monitor`); undefined when not JSON. */
function jsonAttr(values: unknown, key: string): Record<string, unknown> | undefined {
  if (!isObject(values) || typeof values[key] !== 'string') return undefined;
  try {
    const parsed = JSON.parse(values[key] as string);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function displayName(rc: TfResourceChange): string {
  for (const values of [rc.change.after, rc.change.before]) {
    if (!isObject(values)) continue;
    const dashboard = jsonAttr(values, 'dashboard') ?? jsonAttr(values, 'monitor');
    const title = dashboard?.title ?? dashboard?.name;
    if (typeof title === 'string' && title !== '') return title;
    if (typeof values.name === 'string' && values.name !== '') return values.name;
  }
  return rc.address;
}

function tagsOf(values: unknown): string[] {
  if (!isObject(values)) return [];
  const tags = values.tags ?? jsonAttr(values, 'monitor')?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** `service:<name>` tags of the resource (after, else before), sorted. */
function serviceTags(rc: TfResourceChange): string[] {
  for (const values of [rc.change.after, rc.change.before]) {
    const services = tagsOf(values)
      .filter((t) => t.startsWith('service:'))
      .map((t) => t.slice('service:'.length))
      .filter((s) => s !== '');
    if (services.length > 0) return [...new Set(services)].sort();
  }
  return [];
}

/** A span metric filtering on exactly one `service:x` belongs to that service. */
function spanMetricService(rc: TfResourceChange): string | undefined {
  for (const values of [rc.change.after, rc.change.before]) {
    if (!isObject(values)) continue;
    const filter = Array.isArray(values.filter) ? values.filter[0] : values.filter;
    const query = isObject(filter) ? filter.query : undefined;
    if (typeof query !== 'string') continue;
    const services = [...query.matchAll(/(?:^|[\s(])service:([\w.-]+)/g)].map((m) => m[1]);
    if (new Set(services).size === 1) return services[0];
  }
  return undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The longest known service name that appears in `text` as a whole word (service names contain `-`, `_`, `.`). */
function findService(text: string, known: readonly string[]): string | undefined {
  for (const service of known) {
    if (!text.includes(service)) continue; // cheap pre-check: plans can hold thousands of services
    if (new RegExp(`(?<![\\w.-])${escapeRegExp(service)}(?![\\w-]|\\.\\w)`).test(text)) return service;
  }
  return undefined;
}

/** Where each kind's key fields go: first matching prefix wins; fields matching none follow, by path. */
const FIELD_ORDER: Readonly<Record<ResourceKind, readonly string[]>> = {
  monitor: ['name', 'type', 'query', 'monitor_thresholds', 'priority', 'notify', 'message', 'tags'],
  slo: ['name', 'type', 'query', 'thresholds', 'target_threshold', 'warning_threshold', 'timeframe', 'monitor_ids'],
  spanMetric: ['name', 'compute', 'filter', 'group_by'],
  dashboard: ['title', 'dashboard.title', 'dashboard.description', 'dashboard.widgets', 'dashboard'],
  dashboardList: ['name', 'dash_item'],
  other: [],
};

function fieldRank(kind: ResourceKind, field: string): number {
  const order = FIELD_ORDER[kind];
  const i = order.findIndex((p) => field === p || field.startsWith(`${p}.`) || field.startsWith(`${p}[`));
  return i === -1 ? order.length : i;
}

/** A widget's title; for untitled ones (notes) the type and the start of the text. */
function widgetLabel(def: Record<string, unknown>): string {
  if (typeof def.title === 'string' && def.title.trim() !== '') return def.title;
  const type = String(def.type ?? 'widget');
  const text = typeof def.content === 'string' ? def.content : typeof def.text === 'string' ? def.text : '';
  const first = text
    .split('\n')
    .map((l) => l.replace(/^[#>*\s-]+/, '').trim())
    .find((l) => l !== '');
  return first ? `${type}: ${first.length > 40 ? `${first.slice(0, 40)}…` : first}` : `(${type})`;
}

/** Titles of a dashboard's widgets (group widgets included), with each widget's JSON, in order. */
function widgetsOf(dashboard: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (widgets: unknown) => {
    if (!Array.isArray(widgets)) return;
    for (const w of widgets) {
      const def = isObject(w) && isObject(w.definition) ? w.definition : {};
      let title = widgetLabel(def);
      for (let n = 2; out.has(title); n++) title = `${title.replace(/ #\d+$/, '')} #${n}`;
      const { widgets: children, ...rest } = def;
      out.set(title, JSON.stringify(rest));
      visit(children);
    }
  };
  visit(dashboard.widgets);
  return out;
}

/** Field changes of a JSON-string dashboard: title, description, widgets added/removed/changed, other keys. */
function dashboardFields(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const { widgets: bw, ...bRest } = before;
  const { widgets: aw, ...aRest } = after;
  const fields = changedFields({ before: bRest, after: aRest }).map((f) => ({ ...f, field: `dashboard.${f.field}` }));
  const bWidgets = widgetsOf({ widgets: bw });
  const aWidgets = widgetsOf({ widgets: aw });
  const removed = [...bWidgets.keys()].filter((t) => !aWidgets.has(t));
  const added = [...aWidgets.keys()].filter((t) => !bWidgets.has(t));
  const changed = [...aWidgets.keys()].filter((t) => bWidgets.has(t) && bWidgets.get(t) !== aWidgets.get(t));
  if (removed.length + added.length + changed.length > 0) {
    fields.push({
      field: 'dashboard.widgets',
      before: `${bWidgets.size} widgets`,
      after: `${aWidgets.size} widgets`,
      removed: removed.sort(),
      added: added.sort(),
      ...(changed.length > 0 ? { changed: changed.sort() } : {}),
    });
  }
  return fields;
}

/** What changes in an update or replacement, key fields first. */
export function resourceFields(rc: TfResourceChange, kind: ResourceKind): FieldChange[] {
  const { before, after } = rc.change;
  if (!isObject(before) || !isObject(after)) return [];
  const b: Record<string, unknown> = { ...before };
  const a: Record<string, unknown> = { ...after };
  const extra: FieldChange[] = [];
  const afterUnknown = isObject(rc.change.after_unknown) ? rc.change.after_unknown : {};
  const sensitive = (tree: unknown, key: string) => tree === true || (isObject(tree) && tree[key] !== undefined);

  // Messages: the notification handles are what reviewers look for, then the changed lines.
  if (
    typeof b.message === 'string' &&
    typeof a.message === 'string' &&
    b.message !== a.message &&
    afterUnknown.message !== true &&
    !sensitive(rc.change.before_sensitive, 'message') &&
    !sensitive(rc.change.after_sensitive, 'message')
  ) {
    const bh = notifyHandles(b.message);
    const ah = notifyHandles(a.message);
    const removed = bh.filter((h) => !ah.includes(h));
    const added = ah.filter((h) => !bh.includes(h));
    if (removed.length + added.length > 0)
      extra.push({ field: 'notify', before: bh.join(' '), after: ah.join(' '), removed, added });
    extra.push({ field: 'message', before: null, after: null, lines: lineDiff(b.message, a.message) });
    delete b.message;
    delete a.message;
  }
  for (const key of ['dashboard', 'monitor']) {
    const bj = jsonAttr(before, key);
    const aj = jsonAttr(after, key);
    if (bj && aj && afterUnknown[key] !== true) {
      extra.push(
        ...(key === 'dashboard' ? dashboardFields(bj, aj) : prefixed(key, changedFields({ before: bj, after: aj }))),
      );
      delete b[key];
      delete a[key];
    }
  }
  const fields = [
    ...extra,
    ...changedFields({
      before: b,
      after: a,
      afterUnknown,
      beforeSensitive: rc.change.before_sensitive,
      afterSensitive: rc.change.after_sensitive,
    }),
  ];
  return withoutEchoes(fields).sort(
    (x, y) => fieldRank(kind, x.field) - fieldRank(kind, y.field) || compareStrings(x.field, y.field),
  );
}

/**
 * Drop fields that only echo another change: the resource id (always new on a replacement), `*_display` twins of
 * SLO thresholds, and the SLO's deprecated top-level `target_threshold`/`warning_threshold`/`timeframe` mirrors.
 */
function withoutEchoes(fields: FieldChange[]): FieldChange[] {
  const names = new Set(fields.map((f) => f.field));
  const thresholds = fields.filter((f) => f.field.startsWith('thresholds')).map((f) => f.field.replace(/^.*\./, ''));
  const mirrors: Record<string, string> = {
    target_threshold: 'target',
    warning_threshold: 'warning',
    timeframe: 'timeframe',
  };
  return fields.filter((f) => {
    if (f.field === 'id') return false;
    const display = /^(.*)_display$/.exec(f.field);
    if (display && names.has(display[1])) return false;
    const mirrored = mirrors[f.field];
    return !(mirrored && thresholds.includes(mirrored));
  });
}

function prefixed(prefix: string, fields: FieldChange[]): FieldChange[] {
  return fields.map((f) => ({ ...f, field: `${prefix}.${f.field}` }));
}

function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Total order of changes within a stack: action, service (org-wide last), kind, name, address. */
export function compareChanges(x: ResourceChange, y: ResourceChange): number {
  return (
    ACTION_ORDER.indexOf(x.action) - ACTION_ORDER.indexOf(y.action) ||
    (x.service === null ? 1 : 0) - (y.service === null ? 1 : 0) ||
    compareStrings(x.service ?? '', y.service ?? '') ||
    KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind) ||
    compareStrings(x.name, y.name) ||
    compareStrings(x.address, y.address)
  );
}

/** The `--json` document: a versioned contract for scripts and other CI systems. */
export function summaryJson(summary: PlanSummary): string {
  return `${JSON.stringify({ format: 'trace-health/plan-summary', version: 1, ...summary }, null, 2)}\n`;
}

/** Summarize labelled plans (any order) and apply the destroy guard. */
export function summarizePlans(
  plans: readonly LabelledPlan[],
  guard: DestroyGuardOptions = { maxDestroy: DEFAULT_MAX_DESTROY, allowDestroy: false },
): PlanSummary {
  const managed = (p: LabelledPlan) => p.plan.resource_changes.filter((rc) => rc.mode !== 'data');
  // Services named by tags anywhere in the plans, longest first, so "checkout-api-v2" wins over "checkout-api".
  const known = [...new Set(plans.flatMap((p) => managed(p).flatMap(serviceTags)))].sort(
    (a, b) => b.length - a.length || compareStrings(a, b),
  );

  const stacks = [...plans]
    .sort((a, b) => compareStrings(a.stack, b.stack))
    .map((p): StackSummary => {
      const counts = emptyCounts();
      const changes: ResourceChange[] = [];
      for (const rc of managed(p)) {
        const action = actionOf(rc.change.actions);
        if (action === null) {
          counts.unchanged++;
          continue;
        }
        if (action === 'unknown') {
          // A Terraform action this version does not know: show it rather than hide it.
          counts.update++;
        } else counts[action]++;
        const kind = KIND_BY_TYPE[rc.type] ?? 'other';
        const name = displayName(rc);
        const service =
          serviceTags(rc)[0] ??
          (kind === 'spanMetric' ? spanMetricService(rc) : undefined) ??
          (kind === 'dashboard' ? findService(name, known) : undefined) ??
          null;
        const act: ChangeAction = action === 'unknown' ? 'update' : action;
        changes.push({
          address: rc.deposed ? `${rc.address} (deposed ${rc.deposed})` : rc.address,
          type: rc.type,
          kind,
          action: act,
          service,
          name,
          ...(rc.action_reason ? { reason: rc.action_reason } : {}),
          ...(act === 'replace' && rc.change.replace_paths?.length
            ? { forcedBy: [...new Set(rc.change.replace_paths.map(pathText))].sort() }
            : {}),
          fields:
            act === 'update'
              ? resourceFields(rc, kind)
              : act === 'replace'
                ? // A new object: every computed attribute is unknown; only what the configuration changes matters.
                  resourceFields(rc, kind).filter((f) => !(f.before === null && f.after === UNKNOWN))
                : [],
        });
      }
      return { stack: p.stack, file: p.file, counts, changes: pairRecreations(changes).sort(compareChanges) };
    });

  const totals = emptyCounts();
  for (const s of stacks) for (const k of Object.keys(totals) as (keyof ActionCounts)[]) totals[k] += s.counts[k];
  return { stacks, totals, destroyGuard: destroyGuard(stacks, guard) };
}

/** "deletes 1 span-based metric", "replaces 2 span-based metrics", "deletes 1 and replaces 1 span-based metric". */
function spanMetricVerb(metrics: readonly ResourceChange[]): string {
  const deleted = metrics.filter((m) => m.action === 'destroy').length;
  const replaced = metrics.length - deleted;
  const noun = (n: number) => `span-based metric${n === 1 ? '' : 's'}`;
  if (replaced === 0) return `deletes ${deleted} ${noun(deleted)}`;
  if (deleted === 0) return `replaces ${replaced} ${noun(replaced)}`;
  return `deletes ${deleted} and replaces ${replaced} ${noun(replaced)}`;
}

/**
 * Pair each destroyed resource with a created one of the same type and name (one to one): Terraform will delete
 * the Datadog object and create a new one with a new id, so links, monitor history and SLO history are lost.
 */
function pairRecreations(changes: ResourceChange[]): ResourceChange[] {
  const key = (c: ResourceChange) => `${c.type}\u0000${c.name}`;
  const created = new Map<string, ResourceChange[]>();
  for (const c of changes)
    if (c.action === 'create' && c.name !== c.address) created.set(key(c), [...(created.get(key(c)) ?? []), c]);
  const pairs = new Map<ResourceChange, string>();
  for (const c of [...changes].sort((a, b) => compareStrings(a.address, b.address))) {
    if (c.action !== 'destroy' || c.name === c.address) continue;
    const candidates = created.get(key(c));
    const match = candidates?.shift();
    if (!match) continue;
    pairs.set(c, match.address);
    pairs.set(match, c.address);
  }
  return changes.map((c) => (pairs.has(c) ? { ...c, sameNameAs: pairs.get(c) } : c));
}

/**
 * The destroy guard: a stack's plan may destroy at most `maxDestroy` resources (replacements included) and no
 * span-based metric (its history is lost for good). A catalog that shrinks by accident (an API hiccup) shows up
 * here as a mass destroy, before anything is applied.
 */
export function destroyGuard(stacks: readonly StackSummary[], options: DestroyGuardOptions): DestroyGuard {
  const violations: GuardViolation[] = [];
  for (const s of stacks) {
    const destroyed = s.changes.filter((c) => c.action === 'destroy' || c.action === 'replace');
    if (destroyed.length > options.maxDestroy) {
      violations.push({
        stack: s.stack,
        reason: 'too-many-destroys',
        message: `stack ${s.stack} destroys ${destroyed.length} resources (${s.counts.destroy} deleted, ${s.counts.replace} replaced); at most ${options.maxDestroy} allowed`,
        addresses: destroyed.map((c) => c.address),
      });
    }
    const metrics = destroyed.filter((c) => c.kind === 'spanMetric');
    if (metrics.length > 0) {
      violations.push({
        stack: s.stack,
        reason: 'span-metric-destroyed',
        message: `stack ${s.stack} ${spanMetricVerb(metrics)} (${metrics.map((m) => m.name).join(', ')}): ${metrics.length === 1 ? 'its' : 'their'} history is lost`,
        addresses: metrics.map((c) => c.address),
      });
    }
  }
  return { ...options, blocked: violations.length > 0 && !options.allowDestroy, violations };
}
