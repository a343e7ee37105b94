import type { IntegrationMaps, Routing, Transition } from './routing';
import type { TierMatch } from './tiers';

/**
 * The resolved policy: what every other layer reads. `src/policy` turns `trace-health.yaml` plus the catalog into
 * one `ServicePolicy` per catalog service (defaults < tier < team < service).
 */

export type StackGrouping = 'team' | 'service' | 'single';
export type SloTimeframe = '7d' | '30d' | '90d';

/** A tag that spans in `scope` must carry, e.g. `{ tag: 'usr.id', scope: '@_top_level:1', slo: true }`. */
export interface TagRule {
  readonly tag: string;
  /** Span-search query selecting the spans that must carry the tag; `*` for every span. */
  readonly scope: string;
  /** Also create an SLO for this tag's coverage. */
  readonly slo: boolean;
}

/**
 * Alert thresholds keyed by severity. For a rate that must stay low (orphans) warning < critical; for a coverage
 * that must stay high (tag coverage) warning > critical.
 */
export interface Thresholds {
  readonly warning: number;
  readonly critical: number;
}

export interface SloSettings {
  readonly timeframe: SloTimeframe;
  /** Percent, e.g. 99.9. */
  readonly target: number;
  /** Percent, stricter (higher) than target. */
  readonly warning: number;
}

/** Terraform backend for a stack; `local` with a path relative to the stack folder by default. */
export type BackendConfig =
  | { readonly type: 'local'; readonly path?: string }
  | {
      readonly type: 's3';
      readonly bucket: string;
      readonly key?: string;
      readonly region: string;
      readonly dynamodbTable?: string;
    }
  | { readonly type: 'gcs'; readonly bucket: string; readonly prefix?: string }
  | {
      readonly type: 'remote';
      readonly organization: string;
      readonly workspacePrefix?: string;
      readonly hostname?: string;
      /** The stack's workspace (`workspacePrefix` + stack name), set by `backendForStack`. */
      readonly workspace?: string;
    };

/** Which layer of trace-health.yaml set a resolved value (for `policy explain`). */
export type PolicyLayer =
  | 'builtin'
  | 'defaults'
  | `builtin.tiers.${string}`
  /** A tier no rule gives a priority: it ranks with the most urgent tier. */
  | 'unranked-tier'
  | `tiers.${string}`
  | `teams.${string}`
  | `services.${string}`;

export interface ServicePolicy {
  readonly service: string;
  /** Owning team from the catalog (`unowned` when the catalog has none). */
  readonly team: string;
  readonly tier?: string;
  /** The tier rule the catalog tier falls under (absent without a tier). */
  readonly tierMatch?: TierMatch;
  readonly enabled: boolean;
  /** Name of the stack this service's resources go in (from `stacks.by`). */
  readonly stack: string;
  readonly envs: readonly string[];
  readonly requiredTags: readonly TagRule[];
  readonly orphanRate: Thresholds;
  readonly tagCoverage: Thresholds;
  /** Low-volume guard: ratio monitors only alert when at least this many spans were checked in the window. */
  readonly minSpans: number;
  /** Monitor evaluation window, Datadog syntax: `15m`, `1h`, `4h`, `1d`. */
  readonly window: string;
  readonly slo: SloSettings;
  /** Notification handles (`@slack-x`, `@pagerduty-y`, `@team@example.com`), policy layers merged, sorted. */
  readonly notify: readonly string[];
  /** Every handle the service's monitors notify (policy and catalog), per transition, and the dropped contacts. */
  readonly routing: Routing;
  /** Monitor priority 1 (highest) … 5: a `priority` layer, usually the tier's. */
  readonly priority: number;
  /** For each key above, the layer that set it. */
  readonly origin: Readonly<Record<string, PolicyLayer>>;
}

export interface Policy {
  /** The policy file as given (for messages). */
  readonly file: string;
  /** Catalog path (folder or snapshot .json), relative to the policy file's folder. */
  readonly catalog: string;
  /** Datadog site, e.g. `datadoghq.com`, `datadoghq.eu`. */
  readonly site: string;
  readonly envs: readonly string[];
  readonly stacks: { readonly by: StackGrouping; readonly backend: BackendConfig };
  /** Services allowed to start traces, added to the ones derived from the catalog. */
  readonly entrypoints: readonly string[];
  /** Monitors call Datadog's validate endpoint on every plan unless false. */
  readonly validateMonitors: boolean;
  /** `synth`/`catalog pull` refuse to drop more than this fraction of known services without an override. */
  readonly maxRemovalRatio: number;
  /** The `integrations` map (catalog ids and URLs → names in Datadog's integrations). */
  readonly integrations: IntegrationMaps;
  /** `requireRoute`: services of these tiers (normalized; all when absent) must notify someone on each of `on`. */
  readonly requireRoute?: { readonly tiers?: readonly string[]; readonly on: readonly Transition[] };
  /** Folder of user scenario files for `simulate`, relative to the policy file's folder. */
  readonly simulationScenarios?: string;
  /** Resolved, one per catalog service (disabled ones included, with enabled=false), sorted by service. */
  readonly services: readonly ServicePolicy[];
  /** Things worth fixing that do not stop anything (tiers no rule covers), one line per cause. */
  readonly warnings: readonly string[];
}
