/**
 * Plain descriptions of the resources a service gets, built by pure factories (monitors.ts, slos.ts) and turned
 * into provider resources by ServiceTraceHealth. The same specs feed the review manifest, so what reviewers read
 * is what Terraform applies.
 */
import { RESOURCE_TYPES, terraformRef } from '../../datadog/references';
import type { MonitorRoutes } from '../../policy/routing';
import { logicalId } from '../ids';
import type { MonitorRole } from '../tags';

export type MonitorType = 'query alert' | 'composite' | 'slo alert';
export type Comparator = '>' | '>=' | '<' | '<=';

export interface MonitorSpec {
  /** Construct id inside the service's construct (`prod_orphan-rate`); with the service name, the Terraform address. */
  readonly id: string;
  /** The check it belongs to (`orphan-rate`, `tag-coverage`, …), also a tag. */
  readonly check: string;
  readonly role: MonitorRole;
  readonly name: string;
  readonly type: MonitorType;
  /**
   * The query without its threshold comparison (`sum(last_1h):A / B`), or the whole composite expression. Kept
   * apart so that the review manifest shows a threshold change as a one-line diff.
   */
  readonly expression: string;
  readonly comparator?: Comparator;
  /** Critical is also the number in the query (Datadog requires both to match). */
  readonly thresholds?: { readonly critical: number; readonly warning?: number };
  readonly message: string;
  /** The alert rule in words (notifying monitors): the same sentence as the message's **Rule.** paragraph. */
  readonly rule?: string;
  /**
   * Handles the message notifies, per transition (its notification block is rendered from this, and the review
   * manifest prints it); absent for components, which notify nobody.
   */
  readonly notify?: MonitorRoutes;
  /** 1 (highest) … 5; notifying monitors only. */
  readonly priority?: number;
  readonly tags: readonly string[];
  /** What a query alert does when its window has no data (see OnMissingData); query alerts only. */
  readonly onMissingData?: OnMissingData;
  /** The required tag a tag-coverage monitor (composite and ratio) is about. */
  readonly tag?: string;
}

/** Monitor options beyond query and thresholds: what Terraform gets (monitorConfig) and `simulate` evaluates. */
export interface MonitorOptions {
  readonly requireFullWindow?: boolean;
  readonly onMissingData?: OnMissingData;
}

export function monitorOptions(spec: MonitorSpec): MonitorOptions {
  return {
    // Collector metrics arrive in batches and span metrics are sparse for quiet services: judge what the window
    // has instead of waiting for a full window of points (Datadog's advice for sparse count metrics).
    requireFullWindow: spec.type === 'query alert' ? false : undefined,
    onMissingData: spec.onMissingData,
  };
}

/**
 * `on_missing_data` of a metric monitor (DOC:content/en/monitors/guide/on_missing_data.md; provider 3.82.0
 * `on_missing_data`, not available on composite or SLO monitors): `show_and_notify_no_data` turns a window without
 * points into a notifying No Data state after one evaluation window; `resolve` shows OK. Used instead of
 * `notify_no_data`/`no_data_timeframe`, whose default timeframe the docs disagree on (datadog-semantics §3).
 */
export type OnMissingData = 'show_no_data' | 'show_and_notify_no_data' | 'resolve' | 'default';

export interface SloSpec {
  readonly id: string;
  readonly check: string;
  readonly env: string;
  /** The required tag a coverage SLO is about. */
  readonly tag?: string;
  readonly name: string;
  readonly description: string;
  /** Good events / total events (count queries). */
  readonly numerator: string;
  readonly denominator: string;
  readonly timeframe: string;
  readonly target: number;
  readonly warning: number;
  readonly tags: readonly string[];
}

/** The Datadog monitor query: expression plus `<comparator> <critical>`. */
export function monitorQuery(spec: MonitorSpec): string {
  if (!spec.comparator || !spec.thresholds) return spec.expression;
  return `${spec.expression} ${spec.comparator} ${spec.thresholds.critical}`;
}

/** Terraform reference to the id of a monitor of `service` (by its spec id), usable before it exists. */
export function monitorRef(service: string, id: string): string {
  return terraformRef(RESOURCE_TYPES.monitor, logicalId([service, id]));
}

export function sloRef(service: string, id: string): string {
  return terraformRef(RESOURCE_TYPES.slo, logicalId([service, id]));
}

/** Construct id of a service's dashboard; one dashboard per service, env and version are template variables. */
export const DASHBOARD_ID = 'dashboard';

export function dashboardRef(service: string): string {
  return terraformRef(RESOURCE_TYPES.dashboardJson, logicalId([service, DASHBOARD_ID]));
}
