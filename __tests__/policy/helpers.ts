import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Catalog, Entity, Service } from '../../src/catalog/model';
import { UserErrors } from '../../src/errors';

export function service(name: string, team?: string, tier?: string): Service {
  return {
    name,
    ...(team === undefined ? {} : { team }),
    ...(tier === undefined ? {} : { tier }),
    languages: [],
    contacts: [],
    links: [],
    integrations: {},
    tags: [],
    dependsOn: [],
    schemaVersion: 'v3',
    source: { file: `catalog/${name}.yaml`, line: 1, col: 1 },
  };
}

export function entity(kind: string, name: string, owner?: string): Entity {
  return {
    kind,
    name,
    ...(owner === undefined ? {} : { owner }),
    dependsOn: [],
    schemaVersion: 'v3',
    source: { file: `catalog/${name}.yaml`, line: 1, col: 1 },
  };
}

export function catalogOf(services: Service[], entities: Entity[] = []): Catalog {
  return { services, entities };
}

/** The problems `fn` throws as UserErrors (fails the test when it does not throw them). */
export function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserErrors) return e.problems;
    throw e;
  }
  throw new Error('expected UserErrors');
}

/** Compare with a golden file; `UPDATE_GOLDEN=1 npx jest __tests__/policy` rewrites it. */
export function expectGolden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
