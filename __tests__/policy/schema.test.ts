import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { POLICY_SCHEMA_FILE } from '../../scripts/generate-policy-schema';
import { policyJsonSchema } from '../../src/policy';

const ROOT = path.join(__dirname, '..', '..');

describe('schema/trace-health.schema.json', () => {
  // Compared as data: formatting is prettier's job (prettier cannot load inside jest without VM modules).
  it('is up to date with src/policy/schema.ts (run `npm run schema` when this fails)', () => {
    expect(JSON.parse(readFileSync(POLICY_SCHEMA_FILE, 'utf8'))).toStrictEqual(policyJsonSchema());
  });

  it('is what editors get: a plain draft-07 schema that accepts the root trace-health.yaml', () => {
    const schema = JSON.parse(readFileSync(POLICY_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const policy: unknown = parse(readFileSync(path.join(ROOT, 'trace-health.yaml'), 'utf8'));
    expect(validate(policy)).toBe(true);
    expect(validate({ catalog: 'c', defaults: { orphanrate: {} } })).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.keyword}`)).toStrictEqual([
      '/defaults additionalProperties',
    ]);
  });

  it('is referenced by the root trace-health.yaml for editor completion', () => {
    const first = readFileSync(path.join(ROOT, 'trace-health.yaml'), 'utf8').split('\n')[0];
    expect(first).toBe('# yaml-language-server: $schema=./schema/trace-health.schema.json');
  });
});
