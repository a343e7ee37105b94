/**
 * Reading a report of `trace-health collect --format json` (catalog suggest --from, drill --report): checked against
 * the published report schema (src/collector/report-schema.ts), so a hand-edited or foreign file is exit 2 naming
 * the file, the path in it and the value.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import type { CollectReport } from '../collector/report';
import { reportJsonSchema } from '../collector/report-schema';
import { UserError } from '../errors';
import { jsonSyntaxError } from '../input/json-syntax';

let validate: ReturnType<Ajv['compile']> | undefined;

/** The report, checked against the published report schema; exit 2 naming the file, the path and the value. */
export function readCollectReport(file: string, cwd: string): CollectReport {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const err = jsonSyntaxError(text);
    const at = err?.offset ?? 0;
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const col = at - before.lastIndexOf('\n');
    throw new UserError(`${file}:${line}:${col}: invalid JSON (${err?.message ?? 'cannot parse'})`);
  }
  validate ??= new Ajv({ allErrors: false, strict: false }).compile(reportJsonSchema());
  if (!validate(data)) {
    const e = validate.errors![0];
    const where = e.instancePath
      .split('/')
      .slice(1)
      .map((p) => (/^[0-9]+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`))
      .join('')
      .replace(/^\./, '');
    const value = valueAt(data, e.instancePath);
    const shown = value === undefined ? '' : `${JSON.stringify(value)?.slice(0, 80)} `;
    throw new UserError(
      `${file}: ${where || '(top level)'}: ${shown}${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''} — not a report of \`trace-health collect --format json\``,
    );
  }
  return data as CollectReport;
}

function valueAt(data: unknown, pointer: string): unknown {
  let v: unknown = data;
  for (const p of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}
