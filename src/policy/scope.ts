/** Tag-rule scopes must be span queries the collector can evaluate exactly like the span-based metrics do. */
import { parseSpanQuery, SpanQueryError } from '../datadog/span-query';

/** `undefined` when `scope` parses; else what is wrong, e.g. `is not a supported span query: column 5: …`. */
export function checkScope(scope: string): string | undefined {
  try {
    parseSpanQuery(scope);
    return undefined;
  } catch (e) {
    if (e instanceof SpanQueryError) return `is not a supported span query: column ${e.column}: ${e.reason}`;
    throw e;
  }
}
