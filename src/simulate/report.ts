/**
 * The simulation report: Markdown for people (a summary line per scenario, then each scenario's monitors with what
 * was expected and what each reading evaluated, with the handles notified), JSON for machines. Deterministic.
 */
import type { Reading, Transition } from './evaluate';
import { READINGS } from './evaluate';
import type { ScenarioOutcome, SimulationResult } from './run';

/** What each reading means, for the report's header and `--help`. */
export const READING_TEXT: Readonly<Record<Reading, string>> = {
  zero: 'an operand without any point in the window counts as 0; SLO minutes missing good events count them as 0',
  'no-data':
    'an operand without any point makes the group No Data; legacy No Data waits max(timeframe, 2× window); SLO minutes missing good events are dropped',
};

export function renderJson(r: SimulationResult): string {
  return `${JSON.stringify(
    {
      summary: { scenarios: r.scenarios.length, passed: r.passed, failed: r.failed, skipped: r.skipped },
      readings: READING_TEXT,
      scenarios: r.scenarios,
    },
    null,
    2,
  )}\n`;
}

function transitionText(t: Transition): string {
  const group = t.group ? ` ${t.group}` : '';
  const who = t.notified.length ? ` → ${t.notified.join(' ')}` : '';
  return `${t.minute}${group}: ${t.from ?? 'new'}→${t.to}${who}`;
}

function timeline(ts: readonly Transition[]): string {
  return ts.length ? ts.map(transitionText).join('; ') : 'no change';
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function scenarioSection(s: ScenarioOutcome): string[] {
  const lines = [`### ${s.status === 'fail' ? '✗' : s.status === 'skipped' ? '–' : '✓'} ${s.name}`, ''];
  if (s.description) lines.push(s.description, '');
  if (s.status === 'skipped') return [...lines, `Skipped: ${s.skipReason}.`, ''];
  lines.push(`Fault from minute ${s.faultStart}; ${s.minutes} minutes simulated.`, '');
  if (s.problems.length) lines.push(...s.problems.map((p) => `- **${cell(p)}**`), '');
  if (s.monitors.length === 0) return [...lines, 'No notifying monitor changed state.', ''];
  lines.push(`| monitor | expected | ${READINGS.map((r) => `evaluated (${r})`).join(' | ')} |`);
  lines.push(`|---|---|${READINGS.map(() => '---').join('|')}|`);
  for (const m of s.monitors) {
    const first = timeline(m.transitions[READINGS[0]]);
    const cells = READINGS.map((r, i) => {
      const t = timeline(m.transitions[r]);
      return i > 0 && t === first ? 'same' : t;
    });
    lines.push(`| ${cell(m.id)} | ${cell(m.expected)} | ${cells.map(cell).join(' | ')} |`);
  }
  return [...lines, ''];
}

export function renderMarkdown(r: SimulationResult): string {
  const lines = [
    '# trace-health simulate',
    '',
    `${r.scenarios.length} scenarios: **${r.passed} passed, ${r.failed} failed**, ${r.skipped} skipped.`,
    '',
    'Each scenario runs under every reading of what Datadog does not document, and passes only under all of them:',
    ...READINGS.map((x) => `- \`${x}\`: ${READING_TEXT[x]}.`),
    '',
    'Times are minutes from the start of the scenario; `a→b → @x` is a state change and the handles it notified.',
    '',
    '| result | scenario | notified |',
    '|---|---|---|',
  ];
  for (const s of r.scenarios) {
    const notified = s.monitors
      .map((m) => {
        const first = m.transitions[READINGS[0]].find((t) => t.notified.length > 0);
        return first ? `${m.id} ${first.to} at ${first.minute}` : undefined;
      })
      .filter((x): x is string => x !== undefined);
    lines.push(`| ${s.status} | ${cell(s.name)} | ${cell(notified.join('; ') || '–')} |`);
  }
  lines.push('');
  // Appended one by one: a spread of tens of thousands of lines overflows the call stack.
  const append = (heading: string, list: readonly ScenarioOutcome[]) => {
    if (list.length === 0) return;
    lines.push(heading, '');
    for (const s of list) for (const line of scenarioSection(s)) lines.push(line);
  };
  append(
    '## Failed',
    r.scenarios.filter((s) => s.status === 'fail'),
  );
  append(
    '## Scenarios',
    r.scenarios.filter((s) => s.status !== 'fail'),
  );
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
