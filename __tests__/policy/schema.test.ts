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

  it('describes the routing keys: integrations, requireRoute, notify entries, priority and tier aliases', () => {
    const schema = JSON.parse(readFileSync(POLICY_SCHEMA_FILE, 'utf8')) as {
      properties: Record<string, { properties?: Record<string, unknown> }>;
      definitions: Record<string, unknown>;
    };
    expect(Object.keys(schema.properties.integrations.properties ?? {})).toStrictEqual([
      'pagerduty',
      'opsgenie',
      'slack',
      'microsoftTeams',
      'webhooks',
    ]);
    expect(schema.properties.integrations.properties?.pagerduty).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string', pattern: '^[^\\s@()]+$' },
    });
    expect(schema.properties.requireRoute).toMatchObject({
      type: 'object',
      required: ['on'],
      additionalProperties: false,
      properties: {
        tiers: { type: 'array', minItems: 1 },
        on: { type: 'array', minItems: 1, items: { enum: ['warning', 'alert', 'noData', 'recovery'] } },
      },
    });
    expect(schema.definitions.notifyEntry).toMatchObject({
      if: { type: 'string' },
      then: { type: 'string', pattern: '^@[^\\s()]+$' },
      else: { type: 'object', required: ['handle'], additionalProperties: false },
    });
    expect(schema.definitions.tierLayer).toMatchObject({
      properties: { aliases: { type: 'array' }, priority: { type: 'integer', minimum: 1, maximum: 5 } },
    });

    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = {
      catalog: 'c',
      integrations: {
        pagerduty: { PWEBGW1: 'platform-edge' },
        webhooks: { 'https://hooks.slack.com/services/T0/B0': 'x' },
      },
      requireRoute: { tiers: ['1'], on: ['alert', 'noData'] },
      defaults: { priority: 3, notify: ['@a', { handle: '@pagerduty-b', on: ['alert'] }] },
      tiers: { '1': { aliases: ['0', 'critical'], priority: 1 } },
    };
    expect(validate(ok)).toBe(true);
    const bad = {
      catalog: 'c',
      integrations: { pagerduty: { PWEBGW1: 'platform edge' } },
      requireRoute: { on: ['page'] },
      defaults: { aliases: ['0'], notify: [{ handle: '@x', on: [] }] },
    };
    expect(validate(bad)).toBe(false);
    expect([...new Set(validate.errors?.map((e) => `${e.instancePath} ${e.keyword}`))].sort()).toStrictEqual([
      '/defaults additionalProperties',
      '/defaults/notify/0 if',
      '/defaults/notify/0/on minItems',
      '/integrations/pagerduty/PWEBGW1 pattern',
      '/requireRoute/on/0 enum',
    ]);
  });

  it('is referenced by the root trace-health.yaml for editor completion', () => {
    const first = readFileSync(path.join(ROOT, 'trace-health.yaml'), 'utf8').split('\n')[0];
    expect(first).toBe('# yaml-language-server: $schema=./schema/trace-health.schema.json');
  });
});
