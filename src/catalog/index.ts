/** The catalog layer: service definition files, snapshots and API results → one normalized `Catalog`. */
export * from './model';
export { formatProblem, formatProblems, describeValue, type Problem } from './problems';
export { parseDocuments, type KeyPath, type Locator, type ParsedDocument, type Position } from './documents';
export {
  checkDefinition,
  definitionRef,
  DEFAULT_REF_KIND,
  isEntity,
  normalizeDefinition,
  normalizeRef,
  type CheckedDefinition,
  type DefinitionContext,
} from './normalize';
export {
  catalogWarnings,
  checkDefinitions,
  isSnapshot,
  parseCatalogFiles,
  parseSnapshot,
  readCatalogFiles,
  readSnapshot,
  summarizeCatalog,
  validateDefinitions,
  type CatalogFile,
  type CatalogReport,
  type CatalogSummary,
  type InvalidDefinition,
} from './read';
export { loadCatalog, loadCatalogReport, type LoadOptions } from './load';
