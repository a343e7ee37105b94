/**
 * The normalized Service Catalog model. Every reader (v2, v2.1, v2.2, v3 files, snapshot, API pull) produces
 * these types; nothing downstream knows which schema version a service came from except `schemaVersion`.
 */

export type SchemaVersion = 'v2' | 'v2.1' | 'v2.2' | 'v3';

/** Where a definition was read from. `line`/`col` are 1-based; a snapshot entry points into the snapshot. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** A contact, typed: `email`, `slack`, `microsoft-teams`, `website`, … (the catalog's own type names). */
export interface Contact {
  readonly type: string;
  readonly contact: string;
  readonly name?: string;
}

/** A link from the catalog: `runbook`, `doc`, `repo`, `dashboard`, `other`, … */
export interface Link {
  readonly name: string;
  readonly type: string;
  readonly url: string;
  readonly provider?: string;
}

export interface Integrations {
  /** PagerDuty service URL, from any of the three shapes (v2 string, v2.1/v2.2 `service-url`, v3 `serviceURL`). */
  readonly pagerduty?: { readonly serviceUrl: string };
  readonly opsgenie?: { readonly serviceUrl: string; readonly region?: string };
}

/** A catalog service: the unit that gets monitors, SLOs and a dashboard. */
export interface Service {
  readonly name: string;
  /** v2.x `team`; v3 `metadata.owner`. */
  readonly team?: string;
  /**
   * As written in the catalog (`"1"`, `"tier-1"`, `"critical"`…), stringified (`tier: 1` is a YAML number). v2 has
   * no tier field: there, and whenever the field is absent, a `tier:<x>` tag gives it.
   */
  readonly tier?: string;
  readonly lifecycle?: string;
  /** v2.2/v3 `type` (web, rpc, db, …); v2.1 `application` is kept separately. */
  readonly type?: string;
  readonly application?: string;
  readonly description?: string;
  readonly languages: readonly string[];
  readonly contacts: readonly Contact[];
  readonly links: readonly Link[];
  /** URL of the first link of type `runbook`, if any. */
  readonly runbook?: string;
  readonly integrations: Integrations;
  /** `key:value` tags as written (sorted, de-duplicated). */
  readonly tags: readonly string[];
  /** v3 `spec.dependsOn` refs normalized to `kind:name` (`service:x`, `datastore:y`); sorted. */
  readonly dependsOn: readonly string[];
  readonly schemaVersion: SchemaVersion;
  readonly source: SourceLocation;
}

/** A v3 entity that is not a service (datastore, queue, system, api, …): part of the graph, gets no monitors. */
export interface Entity {
  readonly kind: string;
  readonly name: string;
  readonly owner?: string;
  readonly dependsOn: readonly string[];
  readonly schemaVersion: 'v3';
  readonly source: SourceLocation;
}

/** A whole catalog. Both lists are sorted by name (then kind), whatever order the files were read in. */
export interface Catalog {
  readonly services: readonly Service[];
  readonly entities: readonly Entity[];
}

/**
 * The snapshot file written by `catalog pull` and read by `synth` (a `.json` catalog path). Versioned so that
 * the format can change; `definitions` are the raw service definitions exactly as Datadog returns them (any
 * schema version), sorted by kind then name, with sorted keys — an unchanged catalog gives an unchanged file.
 */
export const SNAPSHOT_FORMAT = 'trace-health/catalog-snapshot';
export const SNAPSHOT_VERSION = 1;
export interface CatalogSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly version: typeof SNAPSHOT_VERSION;
  /** Where it came from, e.g. `datadoghq.eu` — never keys, never a timestamp. */
  readonly site?: string;
  readonly definitions: readonly Record<string, unknown>[];
}
