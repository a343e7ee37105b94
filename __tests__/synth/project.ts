/** A small throwaway project on disk (policy + catalog) for end-to-end synth tests. */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { examplePolicyAtRoot } from '../example-policy';

export const ROOT = path.resolve(__dirname, '../..');

function v3(name: string, team: string, tier: string, extra = ''): string {
  return [
    'apiVersion: v3',
    'kind: service',
    'metadata:',
    `  name: ${name}`,
    `  owner: ${team}`,
    extra,
    'spec:',
    `  tier: "${tier}"`,
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

export const POLICY = `catalog: catalog
site: datadoghq.eu
envs: [prod]
stacks: { by: team }
defaults:
  notify: []
teams:
  alpha: { notify: ['@slack-alpha'] }
`;

export interface Project {
  readonly dir: string;
  write(file: string, text: string): void;
  read(file: string): string;
  remove(file: string): void;
  /** Every file under `sub`, relative path → content. */
  tree(sub: string): Map<string, string>;
  dispose(): void;
}

/** A throwaway project in a new folder below `base` (default: the system temp folder). */
export function project(base: string = tmpdir()): Project {
  const dir = mkdtempSync(path.join(base, 'th-synth-'));
  const p: Project = {
    dir,
    write(file, text) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    },
    read: (file) => readFileSync(path.join(dir, file), 'utf8'),
    remove: (file) => rmSync(path.join(dir, file), { recursive: true, force: true }),
    tree(sub) {
      const out = new Map<string, string>();
      const walk = (rel: string) => {
        const full = path.join(dir, sub, rel);
        if (statSync(full).isDirectory()) for (const e of readdirSync(full).sort()) walk(path.join(rel, e));
        else out.set(rel, readFileSync(full, 'utf8'));
      };
      walk('');
      return out;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
  p.write('trace-health.yaml', POLICY);
  p.write('catalog/a1.yaml', v3('a1', 'alpha', '1'));
  p.write('catalog/a2.yaml', v3('a2', 'alpha', '2'));
  p.write('catalog/b1.yaml', v3('b1', 'beta', '3', '  contacts:\n    - { type: email, contact: beta@example.com }'));
  p.write('catalog/lonely.yaml', v3('lonely', 'gamma', '3'));
  return p;
}

/** The bundled example (policy + catalog) copied into a throwaway folder. */
export function exampleProject(base?: string): Project {
  const p = project(base);
  p.remove('catalog');
  // The example's catalog and span exports (not its policy and review manifest, there after `trace-health init`).
  for (const sub of ['catalog', 'spans'])
    cpSync(path.join(ROOT, 'examples', sub), path.join(p.dir, 'examples', sub), { recursive: true });
  p.write('trace-health.yaml', examplePolicyAtRoot());
  return p;
}
