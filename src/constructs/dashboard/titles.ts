/**
 * Widget titles in display order, for the review manifest: a dashboard change shows up as a one-line diff.
 * Group children are listed as `Group / Child`; a note has no title, so its first markdown heading stands in
 * (`note: …`).
 */
import type { Json, JsonObject } from './widgets';

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function noteHeading(content: string): string {
  const line = content.split('\n').find((l) => l.trim() !== '') ?? '';
  return `note: ${line.replace(/^#+\s*/, '').trim()}`;
}

function titlesOf(widgets: Json | undefined, prefix: string, out: string[]): void {
  if (!Array.isArray(widgets)) return;
  for (const w of widgets) {
    if (!isObject(w) || !isObject(w.definition)) continue;
    const d = w.definition;
    const own =
      typeof d.title === 'string' && d.title !== ''
        ? d.title
        : d.type === 'note' && typeof d.content === 'string'
          ? noteHeading(d.content)
          : String(d.type);
    out.push(prefix + own);
    if (d.type === 'group') titlesOf(d.widgets, `${prefix}${own} / `, out);
  }
}

export function widgetTitles(dashboard: { widgets?: unknown }): string[] {
  const out: string[] = [];
  titlesOf(dashboard.widgets as Json | undefined, '', out);
  return out;
}
