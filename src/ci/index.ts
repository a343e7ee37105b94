/**
 * CI support: plan summaries with a destroy guard, and which stacks changed. `checkCreateOnlySummary` is for
 * `npm run test:terraform`, which produces real plans of a fresh synth (everything created).
 */
import { renderMarkdown } from './markdown';
import { parsePlanText } from './plan';
import { PlanSummary, summarizePlans } from './summary';

export { COMMENT_MARKER, renderMarkdown } from './markdown';
export { planInputFromArg, parsePlanText, readPlanFiles } from './plan';
export type { LabelledPlan, PlanInput, TfPlan } from './plan';
export { DEFAULT_MAX_DESTROY, destroyGuard, summarizePlans, summaryJson } from './summary';
export type { PlanSummary, ResourceChange, StackSummary } from './summary';
export { diffStacks, readStacks, findStacksDir, stackChangesMatrix, stackChangesText } from './stacks';

export interface CreateOnlyCheck {
  readonly summary: PlanSummary;
  readonly markdown: string;
  /** What is wrong, one line each; empty when the summary reads a create-only plan correctly. */
  readonly problems: readonly string[];
}

/**
 * Summarize real `terraform show -json` output of plans that only create (a first plan of a synth) and check the
 * summary: every resource counted as created, none destroyed, the guard passes, every monitor, SLO and dashboard
 * has a name and every monitor and SLO a service, and the Markdown renders. Call from test:terraform with
 * `expect(check.problems).toEqual([])`.
 */
export function checkCreateOnlySummary(plans: readonly { stack: string; json: string }[]): CreateOnlyCheck {
  const labelled = plans.map((p) => ({
    stack: p.stack,
    file: `${p.stack}.json`,
    plan: parsePlanText(p.json, `${p.stack}.json`),
  }));
  const summary = summarizePlans(labelled);
  const problems: string[] = [];
  for (const s of summary.stacks) {
    const plan = labelled.find((p) => p.stack === s.stack)!.plan;
    const creates = plan.resource_changes.filter((rc) => rc.mode !== 'data' && rc.change.actions.join() === 'create');
    if (s.counts.create !== creates.length)
      problems.push(`${s.stack}: ${s.counts.create} creates summarized, the plan has ${creates.length}`);
    for (const action of ['destroy', 'replace', 'update', 'forget'] as const)
      if (s.counts[action] !== 0) problems.push(`${s.stack}: ${s.counts[action]} ${action} in a create-only plan`);
    for (const c of s.changes) {
      if (c.kind !== 'other' && c.name === c.address) problems.push(`${s.stack}: ${c.address}: no name found`);
      if ((c.kind === 'monitor' || c.kind === 'slo') && c.service === null)
        problems.push(`${s.stack}: ${c.address}: no service:<name> tag`);
    }
  }
  if (summary.destroyGuard.blocked) problems.push('the destroy guard blocks a create-only plan');
  const markdown = renderMarkdown(summary);
  if (!markdown.includes(`### trace-health plan — ${summary.totals.create} to create`))
    problems.push('the Markdown headline does not count the creates');
  return { summary, markdown, problems };
}
