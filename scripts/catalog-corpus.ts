/**
 * Runs the catalog reader over a folder of real service definition files, one file at a time, and prints what it
 * reports — optionally next to what Datadog's official JSON schemas say (ajv), file by file:
 *
 *   npx tsx scripts/catalog-corpus.ts CORPUS_DIR [--schemas DIR]
 *
 * CORPUS_DIR holds *.yaml / *.yml / *.json definition files collected from public repositories (keep them out of
 * this repository: their licenses vary). DIR is a checkout of DataDog/schema's `service-catalog/` folder. A file
 * "agrees" when both sides find it clean, or both find something (trace-health errors or warnings; schema errors).
 * Expected differences: keys Datadog's API has and the schemas lack (metadata.namespace, metadata.description,
 * datadog.performanceData) are clean here; the schemas' own formats are checked the way shapes.ts documents.
 * Exit code: 0 (a report, not a test).
 */
import Ajv, { ValidateFunction } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatProblems, readCatalogFiles } from '../src/catalog';
import { isAbsoluteUrl } from '../src/catalog/shapes';

const SCHEMA_BASE = 'https://raw.githubusercontent.com/DataDog/schema/main/service-catalog/';
const KINDS = ['service', 'datastore', 'queue', 'system', 'api', 'application'];

function schemaValidator(dir: string): (value: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The two formats the schemas use, as JSON Schema defines them (no extra dependency for a maintainer script).
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
  ajv.addFormat('uri', { validate: (s: string) => isAbsoluteUrl(s) });
  ajv.addFormat('openapi', true);
  const load = (p: string) => JSON.parse(readFileSync(path.join(dir, p), 'utf8')) as object;
  for (const f of readdirSync(path.join(dir, 'v3'))) ajv.addSchema(load(`v3/${f}`));
  for (const v of ['v2', 'v2.1', 'v2.2']) ajv.addSchema(load(`${v}/schema.json`));
  return (value) => {
    const d = value as Record<string, unknown> | null;
    let id: string | undefined;
    if (d && typeof d === 'object' && d.apiVersion === 'v3')
      id = `${SCHEMA_BASE}v3/${KINDS.includes(d.kind as string) ? (d.kind as string) : 'custom'}.schema.json`;
    else if (d && typeof d === 'object' && ['v2', 'v2.1', 'v2.2'].includes(d['schema-version'] as string))
      id = `${SCHEMA_BASE}${d['schema-version'] as string}/schema.json`;
    if (!id) return ['no known schema version'];
    const validate = ajv.getSchema(id) as ValidateFunction;
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };
}

function main(argv: string[]): void {
  const corpus = argv.find((a) => !a.startsWith('--'));
  const schemasAt = argv.indexOf('--schemas');
  const schemas = schemasAt >= 0 ? argv[schemasAt + 1] : undefined;
  if (!corpus || (schemasAt >= 0 && !schemas)) {
    process.stderr.write('usage: npx tsx scripts/catalog-corpus.ts CORPUS_DIR [--schemas DIR]\n');
    process.exitCode = 2;
    return;
  }
  const check = schemas ? schemaValidator(schemas) : undefined;
  const files = readdirSync(corpus)
    .filter((f) => /\.(ya?ml|json)$/i.test(f))
    .sort();
  let clean = 0;
  let agree = 0;
  for (const f of files) {
    const text = readFileSync(path.join(corpus, f), 'utf8');
    const report = readCatalogFiles([{ path: f, text }]);
    const ours = [
      ...formatProblems(report.problems),
      ...formatProblems(report.definitionWarnings).map((w) => `warning: ${w}`),
    ];
    if (ours.length === 0) clean++;
    const lines = ours.map((l) => `  trace-health: ${l}`);
    if (check) {
      const theirs: string[] = [];
      const docs = parseAllDocuments(text, { uniqueKeys: true });
      (Array.isArray(docs) ? docs : []).forEach((doc, i) => {
        if (doc.errors.length > 0) theirs.push(`document ${i + 1}: YAML ${doc.errors[0].code}`);
        else if (doc.contents !== null) theirs.push(...check(doc.toJS()).map((e) => `document ${i + 1}: ${e}`));
      });
      const same = (theirs.length === 0) === (ours.length === 0);
      if (same) agree++;
      lines.push(...theirs.map((e) => `  schema:       ${e}`));
      process.stdout.write(`${same ? 'agree' : 'DIFFER'}  ${f}\n${lines.map((l) => `${l}\n`).join('')}`);
    } else process.stdout.write(`${f}\n${lines.map((l) => `${l}\n`).join('')}`);
  }
  process.stdout.write(
    `\n${files.length} files: ${clean} without problems` +
      (check ? `; trace-health and the schemas agree on ${agree} of ${files.length}` : '') +
      '\n',
  );
}

if (require.main === module) main(process.argv.slice(2));
