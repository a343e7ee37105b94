/**
 * `review --check`: is the committed review manifest what the current policy and catalog produce? Pure planning,
 * no cdktf: the manifest is rendered from the same plans synth uses, so the check takes a fraction of a synth.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { loadInputs, planApp, renderManifests, reviewFolder, toPosix } from '../synth';

export interface ReviewCheck {
  /** Unified diffs of stale, missing or extra files (committed → expected); empty when current. */
  readonly diffs: readonly string[];
  readonly reviewDir: string;
  readonly files: number;
}

export function checkReview(
  config: string,
  cwd: string,
  reviewDirOption?: string,
  options: { skipInvalid?: boolean } = {},
): ReviewCheck {
  const inputs = loadInputs(config, cwd, options);
  const reviewDir = reviewFolder(inputs.policyDir, cwd, reviewDirOption);
  const expected = renderManifests(planApp(inputs.policy, inputs.catalog, undefined, inputs.doc));
  const shown = (f: string) => toPosix(path.relative(cwd, path.join(reviewDir, f)));
  const committed = existsSync(reviewDir) ? readdirSync(reviewDir).filter((f) => f.endsWith('.yaml')) : [];
  const names = [...new Set([...committed, ...[...expected.keys()].map((s) => `${s}.yaml`)])].sort();
  const diffs: string[] = [];
  for (const f of names) {
    const file = path.join(reviewDir, f);
    const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const after = expected.get(f.slice(0, -'.yaml'.length)) ?? '';
    if (before === after) continue;
    diffs.push(
      createTwoFilesPatch(
        existsSync(file) ? `a/${shown(f)}` : '/dev/null',
        after === '' ? '/dev/null' : `b/${shown(f)}`,
        before,
        after,
        undefined,
        undefined,
        { context: 3 },
      ),
    );
  }
  return { diffs, reviewDir, files: expected.size };
}
