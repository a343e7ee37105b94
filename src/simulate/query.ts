/**
 * A parser for the Datadog monitor queries trace-health generates, and the documented grammar around them:
 *
 * - metric alerts (`query alert`): `<time aggregation>(last_<N><m|h|d>):<expression> <comparator> <number>`, where
 *   the expression is arithmetic (`+ - * /`, parentheses, numbers) over metric queries
 *   `<space aggregation>:<metric>{<tag filter>}[ by {<tags>}][.as_count()|.as_rate()]` and `default_zero(…)`
 *   (DOC:content/en/monitors/types/metric.md; DOC:content/en/monitors/guide/as-count-in-monitor-evaluations.md);
 * - SLO alerts (`slo alert`): `error_budget("<slo id>").over("<7d|30d|90d>") <comparator> <number>`
 *   (DOC:content/en/monitors/types/slo.md);
 * - composite monitors: monitor ids joined by `&&`, `||`, `!` and parentheses (DOC:content/en/monitors/types/
 *   composite.md). An id is a number, or — in a synthesized stack, before Terraform resolves it — a reference
 *   `${datadog_monitor.<name>.id}`.
 *
 * Anything else is an error naming the position: the simulator evaluates only what it can parse, and the fake
 * Datadog API rejects a query this parser cannot read. Pure.
 */

export type TimeAggregation = 'sum' | 'avg' | 'min' | 'max';
export type SpaceAggregation = 'sum' | 'avg' | 'min' | 'max';
export type Comparator = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** One term of a tag filter: `service:x`, `!env:staging`, a bare tag `prod` (value ''). `{*}` has no term. */
export interface TagTerm {
  readonly key: string;
  readonly value: string;
  readonly negated: boolean;
}

export interface MetricQuery {
  readonly kind: 'metric';
  readonly space: SpaceAggregation;
  readonly metric: string;
  /** Empty for `{*}`. */
  readonly filter: readonly TagTerm[];
  readonly by: readonly string[];
  /** `.as_count()`: a COUNT metric summed over time, not normalized (DOC:content/en/metrics/custom_metrics/type_modifiers.md). */
  readonly asCount: boolean;
  readonly asRate: boolean;
}

export type Expression =
  | MetricQuery
  | { readonly kind: 'number'; readonly value: number }
  | {
      readonly kind: 'binary';
      readonly op: '+' | '-' | '*' | '/';
      readonly left: Expression;
      readonly right: Expression;
    }
  | { readonly kind: 'default_zero'; readonly arg: Expression };

export interface MetricAlertQuery {
  readonly kind: 'metric alert';
  readonly timeAggregation: TimeAggregation;
  readonly windowMinutes: number;
  readonly expression: Expression;
  readonly comparator: Comparator;
  readonly threshold: number;
}

export interface SloAlertQuery {
  readonly kind: 'slo alert';
  readonly sloId: string;
  readonly timeframe: '7d' | '30d' | '90d';
  readonly comparator: Comparator;
  readonly threshold: number;
}

export type CompositeExpression =
  | { readonly kind: 'ref'; readonly id: string }
  | { readonly kind: 'not'; readonly arg: CompositeExpression }
  | { readonly kind: 'and' | 'or'; readonly left: CompositeExpression; readonly right: CompositeExpression };

export interface CompositeQuery {
  readonly kind: 'composite';
  readonly expression: CompositeExpression;
}

export type ParsedQuery = MetricAlertQuery | SloAlertQuery | CompositeQuery;

export class QueryParseError extends Error {
  constructor(
    readonly query: string,
    readonly position: number,
    readonly problem: string,
  ) {
    super(`${problem} at character ${position + 1} of ${JSON.stringify(query)}`);
    this.name = 'QueryParseError';
  }
}

/** Monitor types whose queries this module reads (the ones trace-health generates). */
export const PARSED_MONITOR_TYPES = ['query alert', 'metric alert', 'slo alert', 'composite'] as const;

/** Parse a monitor query by monitor type. Throws QueryParseError. */
export function parseMonitorQuery(type: string, query: string): ParsedQuery {
  switch (type) {
    case 'query alert':
    case 'metric alert':
      return new Parser(query).metricAlert();
    case 'slo alert':
      return new Parser(query).sloAlert();
    case 'composite':
      return new Parser(query).composite();
    default:
      throw new QueryParseError(query, 0, `monitor type ${JSON.stringify(type)} is not simulated`);
  }
}

const COMPARATORS: readonly Comparator[] = ['>=', '<=', '==', '!=', '>', '<'];
const AGGREGATIONS = new Set(['sum', 'avg', 'min', 'max']);
const UNIT_MINUTES: Readonly<Record<string, number>> = { m: 1, h: 60, d: 1440, w: 10080 };

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  private fail(problem: string, at = this.pos): never {
    throw new QueryParseError(this.text, at, problem);
  }

  private skipSpaces(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private peek(s: string): boolean {
    this.skipSpaces();
    return this.text.startsWith(s, this.pos);
  }

  private eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }

  private expect(s: string): void {
    if (!this.eat(s)) this.fail(`expected ${JSON.stringify(s)}`);
  }

  private word(pattern: RegExp, what: string): string {
    this.skipSpaces();
    const m = pattern.exec(this.text.slice(this.pos));
    if (!m || m.index !== 0) this.fail(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }

  private end(): void {
    this.skipSpaces();
    if (this.pos < this.text.length)
      this.fail(`unexpected ${JSON.stringify(this.text.slice(this.pos, this.pos + 12))}`);
  }

  private number(): number {
    const at = this.pos;
    const w = this.word(/^-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?/i, 'a number');
    const n = Number(w);
    if (!Number.isFinite(n)) this.fail(`${w} is not a number`, at);
    return n;
  }

  private comparison(): { comparator: Comparator; threshold: number } {
    this.skipSpaces();
    const comparator = COMPARATORS.find((c) => this.text.startsWith(c, this.pos));
    if (!comparator) this.fail('expected a comparator (>, >=, <, <=, ==, !=) and a threshold');
    this.pos += comparator.length;
    return { comparator, threshold: this.number() };
  }

  metricAlert(): MetricAlertQuery {
    const aggAt = this.pos;
    const agg = this.word(/^[a-z_]+/, 'a time aggregation (sum, avg, min, max)');
    if (!AGGREGATIONS.has(agg)) this.fail(`unknown time aggregation ${JSON.stringify(agg)}`, aggAt);
    this.expect('(');
    const at = this.pos;
    const window = this.word(/^last_\d+[mhdw]/, 'an evaluation window such as last_1h');
    const m = /^last_(\d+)([mhdw])$/.exec(window)!;
    const windowMinutes = Number(m[1]) * UNIT_MINUTES[m[2]];
    if (windowMinutes <= 0) this.fail(`empty evaluation window ${window}`, at);
    this.expect(')');
    this.expect(':');
    const expression = this.expression();
    const { comparator, threshold } = this.comparison();
    this.end();
    if (!hasMetric(expression)) this.fail('the query reads no metric', 0);
    return {
      kind: 'metric alert',
      timeAggregation: agg as TimeAggregation,
      windowMinutes,
      expression,
      comparator,
      threshold,
    };
  }

  private expression(): Expression {
    let left = this.term();
    for (;;) {
      if (this.eat('+')) left = { kind: 'binary', op: '+', left, right: this.term() };
      else if (this.eat('-')) left = { kind: 'binary', op: '-', left, right: this.term() };
      else return left;
    }
  }

  private term(): Expression {
    let left = this.factor();
    for (;;) {
      if (this.eat('*')) left = { kind: 'binary', op: '*', left, right: this.factor() };
      else if (this.eat('/')) left = { kind: 'binary', op: '/', left, right: this.factor() };
      else return left;
    }
  }

  private factor(): Expression {
    this.skipSpaces();
    if (this.eat('(')) {
      const e = this.expression();
      this.expect(')');
      return e;
    }
    if (/[-\d.]/.test(this.text[this.pos] ?? '')) return { kind: 'number', value: this.number() };
    const at = this.pos;
    const name = this.word(/^[a-z_]+/, 'a metric query, a number or default_zero(…)');
    if (name === 'default_zero') {
      this.expect('(');
      const arg = this.expression();
      this.expect(')');
      return { kind: 'default_zero', arg };
    }
    if (!AGGREGATIONS.has(name)) {
      if (this.peek('(')) this.fail(`function ${name}() is not simulated (only default_zero)`, at);
      this.fail(`unknown space aggregation ${JSON.stringify(name)}`, at);
    }
    this.expect(':');
    return this.metricQuery(name as SpaceAggregation);
  }

  private metricQuery(space: SpaceAggregation): MetricQuery {
    const metric = this.word(/^[A-Za-z][A-Za-z0-9_.]*/, 'a metric name');
    this.expect('{');
    const filter = this.tagFilter();
    let by: string[] = [];
    if (this.eat('by')) {
      this.expect('{');
      by = this.list(/^[A-Za-z][A-Za-z0-9_.\-/]*/, 'a tag key');
      this.expect('}');
    }
    let asCount = false;
    let asRate = false;
    for (;;) {
      if (this.eat('.as_count()')) asCount = true;
      else if (this.eat('.as_rate()')) asRate = true;
      else break;
    }
    if (asCount && asRate) this.fail('.as_count() and .as_rate() together');
    return { kind: 'metric', space, metric, filter, by, asCount, asRate };
  }

  private tagFilter(): TagTerm[] {
    if (this.eat('*')) {
      this.expect('}');
      return [];
    }
    const terms: TagTerm[] = [];
    do {
      const negated = this.eat('!');
      const at = this.pos;
      const raw = this.word(/^[^,{}\s]+/, 'a tag such as service:web');
      const i = raw.indexOf(':');
      // A bare tag (`{prod}`) is a tag without a value; `key:` with nothing after the colon is a typo.
      if (i === 0 || i === raw.length - 1) this.fail(`${JSON.stringify(raw)} is not a tag`, at);
      terms.push(i < 0 ? { key: raw, value: '', negated } : { key: raw.slice(0, i), value: raw.slice(i + 1), negated });
    } while (this.eat(','));
    this.expect('}');
    return terms;
  }

  private list(pattern: RegExp, what: string): string[] {
    const out = [this.word(pattern, what)];
    while (this.eat(',')) out.push(this.word(pattern, what));
    return out;
  }

  sloAlert(): SloAlertQuery {
    this.expect('error_budget(');
    const sloId = this.quoted();
    this.expect(')');
    this.expect('.over(');
    const at = this.pos;
    const timeframe = this.quoted();
    if (timeframe !== '7d' && timeframe !== '30d' && timeframe !== '90d')
      this.fail(`SLO timeframe ${JSON.stringify(timeframe)} is not 7d, 30d or 90d`, at);
    this.expect(')');
    const { comparator, threshold } = this.comparison();
    this.end();
    return { kind: 'slo alert', sloId, timeframe, comparator, threshold };
  }

  private quoted(): string {
    this.expect('"');
    const close = this.text.indexOf('"', this.pos);
    if (close < 0) this.fail('unterminated string');
    const s = this.text.slice(this.pos, close);
    this.pos = close + 1;
    if (s === '') this.fail('empty string', close);
    return s;
  }

  /** An SLO numerator or denominator: a metric expression alone. */
  sloExpression(): Expression {
    const e = this.expression();
    this.end();
    if (!hasMetric(e)) this.fail('the query reads no metric', 0);
    return e;
  }

  composite(): CompositeQuery {
    const expression = this.orExpr();
    this.end();
    return { kind: 'composite', expression };
  }

  private orExpr(): CompositeExpression {
    let left = this.andExpr();
    while (this.eat('||')) left = { kind: 'or', left, right: this.andExpr() };
    return left;
  }

  private andExpr(): CompositeExpression {
    let left = this.unary();
    while (this.eat('&&')) left = { kind: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): CompositeExpression {
    if (this.eat('!')) return { kind: 'not', arg: this.unary() };
    if (this.eat('(')) {
      const e = this.orExpr();
      this.expect(')');
      return e;
    }
    const id = this.word(/^(?:\d+|\$\{[^}\s]+\})/, 'a monitor id');
    return { kind: 'ref', id };
  }
}

function hasMetric(e: Expression): boolean {
  switch (e.kind) {
    case 'metric':
      return true;
    case 'number':
      return false;
    case 'default_zero':
      return hasMetric(e.arg);
    case 'binary':
      return hasMetric(e.left) || hasMetric(e.right);
  }
}

/** Every metric query of an expression, left to right. */
export function metricQueries(e: Expression): MetricQuery[] {
  switch (e.kind) {
    case 'metric':
      return [e];
    case 'number':
      return [];
    case 'default_zero':
      return metricQueries(e.arg);
    case 'binary':
      return [...metricQueries(e.left), ...metricQueries(e.right)];
  }
}

/** Monitor ids a composite names, in order of appearance, without repeats. */
export function compositeRefs(e: CompositeExpression, into: string[] = []): string[] {
  if (e.kind === 'ref') {
    if (!into.includes(e.id)) into.push(e.id);
  } else if (e.kind === 'not') compositeRefs(e.arg, into);
  else {
    compositeRefs(e.left, into);
    compositeRefs(e.right, into);
  }
  return into;
}

/** Parse an SLO's numerator or denominator (a metric expression without time aggregation or threshold). */
export function parseSloQuery(text: string): Expression {
  return new Parser(text).sloExpression();
}
