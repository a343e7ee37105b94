/**
 * The plan summary as Markdown for one pull-request comment: a table per stack, the destroy guard and span-metric
 * warnings on top, then per stack the changes grouped by action (destroys first) and by service. GitHub holds at
 * most 65,536 characters per comment: past `maxChars` whole entries are dropped and a note says so.
 */
import { FieldChange, SENSITIVE, UNKNOWN } from './fields';
import {
  ACTION_ORDER,
  ChangeAction,
  KIND_ORDER,
  PlanSummary,
  ResourceChange,
  ResourceKind,
  StackSummary,
} from './summary';

/** Hidden marker that lets a workflow find and update its own comment instead of adding a new one. */
export const COMMENT_MARKER = '<!-- trace-health:plan-summary -->';
export const DEFAULT_MAX_CHARS = 60_000;
const MAX_VALUE_CHARS = 300;
const MAX_MESSAGE_LINES = 12;
/** Values longer than this are shown as a diff block rather than inline. */
const LONG_VALUE_CHARS = 60;

/**
 * Long changed lines (monitor messages are paragraphs) are cut at MAX_VALUE_CHARS; so that the cut keeps the
 * change, a `-` line and the `+` line that replaces it lose their long common start (`- …ordering 1% …`).
 */
export function focusPairs(lines: readonly string[]): string[] {
  const out = [...lines];
  let i = 0;
  while (i < out.length) {
    let minus = i;
    while (minus < out.length && out[minus].startsWith('- ')) minus++;
    let plus = minus;
    while (plus < out.length && out[plus].startsWith('+ ')) plus++;
    for (let k = 0; k < Math.min(minus - i, plus - minus); k++) {
      const a = out[i + k].slice(2);
      const b = out[minus + k].slice(2);
      let common = 0;
      while (common < a.length && common < b.length && a[common] === b[common]) common++;
      if (common > 80) {
        const from = common - 60;
        out[i + k] = `- …${a.slice(from)}`;
        out[minus + k] = `+ …${b.slice(from)}`;
      }
    }
    i = plus > i ? plus : i + 1;
  }
  return out;
}

function clip(line: string): string {
  return line.length > MAX_VALUE_CHARS ? `${line.slice(0, MAX_VALUE_CHARS)}…` : line;
}

const KIND_LABEL: Readonly<Record<ResourceKind, readonly [string, string]>> = {
  spanMetric: ['span metric', 'span metrics'],
  monitor: ['monitor', 'monitors'],
  slo: ['SLO', 'SLOs'],
  dashboard: ['dashboard', 'dashboards'],
  dashboardList: ['dashboard list', 'dashboard lists'],
  other: ['other resource', 'other resources'],
};

const ACTION_HEADING: Readonly<Record<ChangeAction, string>> = {
  destroy: 'To destroy',
  replace: 'To replace: destroyed, then created again',
  update: 'To update in place',
  forget: 'To remove from the Terraform state (kept in Datadog)',
  create: 'To create',
};

const ACTION_VERB: Readonly<Record<ChangeAction, string>> = {
  destroy: 'to destroy',
  replace: 'to replace',
  update: 'to update',
  forget: 'to forget',
  create: 'to create',
};

const REASONS: Readonly<Record<string, string>> = {
  delete_because_no_resource_config: 'no longer generated',
  delete_because_no_module: 'no longer generated',
  delete_because_wrong_repetition: 'no longer generated',
  delete_because_count_index: 'no longer generated',
  delete_because_each_key: 'no longer generated',
  delete_because_no_move_target: 'moved away',
  replace_because_tainted: 'tainted',
  replace_by_request: '`-replace` requested',
  replace_by_triggers: '`replace_triggered_by`',
};

export interface MarkdownOptions {
  readonly maxChars?: number;
}

/** Markdown-escape text shown outside code spans (names come from the catalog: brackets, stars, HTML). */
export function escapeMd(text: string): string {
  return text.replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** An inline code span that survives backticks and newlines in the value. */
export function code(text: string): string {
  let t = text.replace(/\r?\n/g, ' ⏎ ');
  if (t.length > MAX_VALUE_CHARS) t = `${t.slice(0, MAX_VALUE_CHARS)}…`;
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || t === '' ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

function valueText(v: string | null): string {
  if (v === null) return '_(not set)_';
  if (v === UNKNOWN) return '_(known after apply)_';
  if (v === SENSITIVE) return '_(sensitive)_';
  if (v === '') return '_(empty)_';
  return code(v);
}

function plural(n: number, [one, many]: readonly [string, string]): string {
  return `${n} ${n === 1 ? one : many}`;
}

function countsText(counts: Record<ChangeAction, number>): string {
  const parts = ACTION_ORDER.filter((a) => counts[a] > 0).map((a) => `${counts[a]} ${ACTION_VERB[a]}`);
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

function fieldLines(f: FieldChange): string[] {
  const label = code(f.field);
  if (f.lines) {
    const shown = f.lines.slice(0, MAX_MESSAGE_LINES);
    const fence = shown.some((l) => l.includes('```')) ? '~~~~' : '```';
    const more = f.lines.length - shown.length;
    return [
      `- ${label}:`,
      `  ${fence}diff`,
      ...focusPairs(shown).map((l) => `  ${clip(l)}`),
      `  ${fence}`,
      ...(more > 0 ? [`  … ${more} more changed line${more === 1 ? '' : 's'}`] : []),
    ];
  }
  if (f.added || f.removed) {
    const parts: string[] = [];
    if (f.field === 'dashboard.widgets' && f.before !== f.after) parts.push(`${f.before ?? '0'} → ${f.after ?? '0'}`);
    const list = (items: readonly string[]) => items.map(code).join(', ');
    if (f.added?.length) parts.push(`added ${list(f.added)}`);
    if (f.removed?.length) parts.push(`removed ${list(f.removed)}`);
    if (f.changed?.length) parts.push(`changed ${list(f.changed)}`);
    if (parts.length === 0) parts.push('reordered');
    return [`- ${label}: ${parts.join('; ')}`];
  }
  const long = (v: string | null) => v !== null && (v.length > LONG_VALUE_CHARS || v.includes('\n'));
  if (long(f.before) || long(f.after)) {
    // Long values (queries) one above the other, so that the changed part is easy to spot.
    const side = (sign: string, v: string | null) =>
      v === null || v === UNKNOWN || v === SENSITIVE ? [] : v.split('\n').map((l) => `  ${sign} ${clip(l)}`);
    const fence = `${f.before ?? ''}${f.after ?? ''}`.includes('```') ? '~~~~' : '```';
    const notes = [f.before, f.after].filter((v) => !long(v)).length > 0;
    return [
      notes ? `- ${label}: ${valueText(f.before)} → ${valueText(f.after)}` : `- ${label}:`,
      `  ${fence}diff`,
      ...side('-', f.before),
      ...side('+', f.after),
      `  ${fence}`,
    ];
  }
  return [`- ${label}: ${valueText(f.before)} → ${valueText(f.after)}`];
}

function resourceLine(c: ResourceChange, withAddress: boolean): string {
  const kind = c.kind === 'other' ? c.type : KIND_LABEL[c.kind][0];
  const name = c.name === c.address ? code(c.address) : `**${escapeMd(c.name)}**`;
  const notes: string[] = [];
  if (c.forcedBy?.length) notes.push(`forced by ${c.forcedBy.map(code).join(', ')}`);
  else if (c.reason && REASONS[c.reason]) notes.push(REASONS[c.reason]);
  else if (c.reason && c.reason !== 'replace_because_cannot_update') notes.push(code(c.reason));
  if (c.kind === 'spanMetric' && (c.action === 'replace' || c.action === 'destroy')) notes.push('**history lost**');
  if (c.sameNameAs)
    notes.push(c.action === 'destroy' ? `re-created as ${code(c.sameNameAs)}` : `replaces ${code(c.sameNameAs)}`);
  const address = withAddress && c.name !== c.address ? ` · ${code(c.address)}` : '';
  return `- ${kind} ${name}${address}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

function indent(lines: readonly string[], by: string): string[] {
  return lines.map((l) => (l === '' ? l : `${by}${l}`));
}

function serviceLabel(service: string | null): string {
  return service === null ? '_org-wide_' : `**${escapeMd(service)}**`;
}

function groupByService(changes: readonly ResourceChange[]): [string | null, ResourceChange[]][] {
  const groups: [string | null, ResourceChange[]][] = [];
  for (const c of changes) {
    const last = groups[groups.length - 1];
    if (last && last[0] === c.service) last[1].push(c);
    else groups.push([c.service, [c]]);
  }
  return groups;
}

/** Blocks of one stack's section; each block is dropped or kept whole when truncating. */
function stackBlocks(s: StackSummary): string[] {
  const changed = s.changes.length;
  if (changed === 0) return [];
  const blocks: string[] = [`#### ${code(s.stack)} — ${countsText(s.counts)}`];
  for (const action of ACTION_ORDER) {
    const changes = s.changes.filter((c) => c.action === action);
    if (changes.length === 0) continue;
    blocks.push('', `**${ACTION_HEADING[action]} (${changes.length})**`, '');
    const groups = groupByService(changes);
    if (action === 'create') {
      // New resources are many and need no field-by-field review: counts per service, names folded.
      for (const [service, list] of groups) {
        const perKind = KIND_ORDER.map((k) => [k, list.filter((c) => c.kind === k).length] as const)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => plural(n, KIND_LABEL[k]));
        blocks.push(`- ${serviceLabel(service)}: ${perKind.join(', ')}`);
      }
      const names = groups.flatMap(([service, list]) => [
        `- ${serviceLabel(service)}`,
        ...indent(
          list.map((c) => resourceLine(c, false)),
          '  ',
        ),
      ]);
      blocks.push(['', '<details><summary>Names</summary>', '', ...names, '', '</details>'].join('\n'));
      continue;
    }
    for (const [service, list] of groups) {
      blocks.push(`- ${serviceLabel(service)}`);
      for (const c of list) {
        const lines = [resourceLine(c, true), ...indent(c.fields.flatMap(fieldLines), '  ')];
        blocks.push(indent(lines, '  ').join('\n'));
      }
    }
  }
  return blocks;
}

/** Render the summary. Same summary, same bytes. */
export function renderMarkdown(summary: PlanSummary, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? 60_000;
  const { totals, stacks, destroyGuard } = summary;
  const head: string[] = [COMMENT_MARKER, `### trace-health plan — ${countsText(totals)}`, ''];

  if (stacks.length === 0) head.push('No plans given.');
  else {
    head.push(
      '| stack | destroy | replace | update | create | unchanged |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const s of stacks) {
      const c = s.counts;
      const bold = (n: number) => (n > 0 ? `**${n}**` : '0');
      const update = c.update + c.forget;
      head.push(
        `| ${code(s.stack)} | ${bold(c.destroy)} | ${bold(c.replace)} | ${update} | ${c.create} | ${c.unchanged} |`,
      );
    }
  }

  if (destroyGuard.violations.length > 0) {
    head.push('');
    if (destroyGuard.blocked) {
      head.push(
        '> [!CAUTION]',
        '> **Destroy guard: blocked.** Applying this would delete the monitors, SLOs, dashboards or metrics listed below.',
        '> If that is intended, run `plan-summary` with `--allow-destroy` (the ready-made workflows do when the pull',
        '> request has the `allow-destroy` label). A catalog that shrank by accident also shows up here.',
      );
    } else {
      head.push('> [!WARNING]', '> **Destroys allowed** (`--allow-destroy`):');
    }
    for (const v of destroyGuard.violations) head.push(`> - ${escapeMd(v.message)}`);
  }

  for (const s of stacks) {
    for (const c of s.changes.filter((x) => x.kind === 'spanMetric' && x.action === 'replace')) {
      const why = c.forcedBy?.length
        ? `${c.forcedBy.map(code).join(', ')} cannot change in place, so Datadog`
        : 'Datadog';
      head.push(
        '',
        '> [!WARNING]',
        `> **Span-based metric replaced: its history is lost.** ${code(c.name)} in ${code(s.stack)}: ${why} deletes`,
        '> the metric and creates it again, empty. Up to 15 months of history are gone, and the monitors, SLOs and',
        '> dashboards that read it show no data until it fills again. Keep the old name and compute if that history',
        '> matters.',
      );
    }
  }

  for (const s of stacks) {
    const moved = s.changes.filter((c) => c.action === 'destroy' && c.sameNameAs);
    if (moved.length === 0) continue;
    head.push(
      '',
      '> [!WARNING]',
      `> **New Terraform addresses for existing resources** in ${code(s.stack)}: ${moved.length} resource${moved.length === 1 ? ' is' : 's are'} destroyed`,
      `> and created again with the same name, so ${moved.length === 1 ? 'its Datadog id changes' : 'their Datadog ids change'}: links, monitor history and SLO history are`,
      '> lost. A construct id changed; keep it, or add a `moved` block. ' +
        moved
          .slice(0, 5)
          .map((c) => `${code(c.address)} → ${code(c.sameNameAs!)}`)
          .join(', ') +
        (moved.length > 5 ? `, … ${moved.length - 5} more` : ''),
    );
  }

  const blocks = stacks.flatMap((s) => ['', ...stackBlocks(s)]);
  const out = head.join('\n');
  const full = [out, ...blocks].join('\n');
  if (full.length + 1 <= maxChars) return `${full}\n`;

  const note = (shown: number) =>
    `\n\n> ✂️ Truncated: ${shown} of ${full.length} characters shown, the limit for a pull-request comment. Run ` +
    '`trace-health plan-summary` on the plan files (or `--json`) to see everything.\n';
  let text = out;
  for (const block of blocks) {
    if (text.length + 1 + block.length + note(text.length).length > maxChars) break;
    text += `\n${block}`;
  }
  return `${text}${note(text.length)}`;
}
