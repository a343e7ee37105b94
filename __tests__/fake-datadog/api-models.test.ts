/** How the fake judges a body by the API client's models, and how it says where the problem is. */
import { modelProblem } from './api-models';

const dashboard = (definition: unknown) => ({ title: 't', layout_type: 'ordered', widgets: [{ definition }] });
const spansQuery = (over: Record<string, unknown>) =>
  dashboard({
    type: 'timeseries',
    requests: [
      {
        queries: [
          { data_source: 'spans', name: 'a', compute: { aggregation: 'count' }, search: { query: '*' }, ...over },
        ],
      },
    ],
  });

describe('modelProblem', () => {
  it('accepts what the client accepts: nulls for optional attributes, extra attributes on open models', () => {
    const monitor = {
      name: 'x',
      type: 'query alert',
      query: 'q',
      priority: null,
      options: { renotify_interval: null },
    };
    expect(modelProblem(monitor, 'v1', 'Monitor')).toBeUndefined();
    expect(modelProblem({ ...monitor, not_in_the_model: 1 }, 'v1', 'Monitor')).toBeUndefined();
  });

  it('counts null for a required attribute as missing', () => {
    expect(modelProblem({ type: 'query alert', query: null }, 'v1', 'Monitor')).toBe(
      'invalid Monitor: query: missing required attribute (Monitor)',
    );
  });

  it('fails when the body is missing or not an object', () => {
    expect(modelProblem(undefined, 'v1', 'Monitor')).toBe('invalid Monitor: (body): missing');
    expect(modelProblem('name=x', 'v1', 'Monitor')).toBe(
      'invalid Monitor: (body): expected an object (Monitor), got "name=x"',
    );
    expect(modelProblem([], 'v1', 'Monitor')).toBe('invalid Monitor: (body): expected an object (Monitor), got []');
  });

  it('fails on an attribute a closed model (no additionalProperties) does not have', () => {
    expect(modelProblem({ requests: [], colour: 'red' }, 'v1', 'CohortWidgetDefinition')).toBe(
      'invalid CohortWidgetDefinition: colour: unexpected attribute (CohortWidgetDefinition has no such attribute)',
    );
  });

  it('finds the oneOf member meant by its discriminators and reports its problem', () => {
    // A widget's `type` picks the definition; a query's `data_source` picks the query definition.
    expect(modelProblem(dashboard({ type: 'note' }), 'v1', 'Dashboard')).toBe(
      'invalid Dashboard: widgets[0].definition.content: missing required attribute (NoteWidgetDefinition)',
    );
    expect(modelProblem(spansQuery({ compute: { aggregation: 'p99' } }), 'v1', 'Dashboard')).toBe(
      'invalid Dashboard: widgets[0].definition.requests[0].queries[0].compute.aggregation: unknown enum value "p99" ' +
        '(FormulaAndFunctionEventAggregation: count, cardinality, median, pc75, pc90, pc95, pc98, pc99, sum, min, max, avg)',
    );
    // group_by is a oneOf of an array and an object: an array picks the array member.
    expect(modelProblem(spansQuery({ group_by: [{ facet: 'env', limit: 'ten' }] }), 'v1', 'Dashboard')).toBe(
      'invalid Dashboard: widgets[0].definition.requests[0].queries[0].group_by[0].limit: expected number, got "ten"',
    );
    expect(modelProblem(spansQuery({}), 'v1', 'Dashboard')).toBeUndefined();
  });

  it('says which oneOf matched nothing when no member is meant', () => {
    expect(modelProblem(dashboard({ type: 'timeseriez', requests: [] }), 'v1', 'Dashboard')).toBe(
      'invalid Dashboard: widgets[0].definition: matches no WidgetDefinition with type "timeseriez"',
    );
    expect(modelProblem(spansQuery({ data_source: 'traces' }), 'v1', 'Dashboard')).toBe(
      'invalid Dashboard: widgets[0].definition.requests[0].queries[0]: matches no FormulaAndFunctionQueryDefinition',
    );
  });

  it('walks groups, maps and numeric enums', () => {
    const group = { type: 'group', layout_type: 'ordered', widgets: [{ definition: { type: 'note' } }] };
    expect(modelProblem(dashboard(group), 'v1', 'Dashboard')).toBe(
      'invalid Dashboard: widgets[0].definition.widgets[0].definition.content: missing required attribute (NoteWidgetDefinition)',
    );
    expect(modelProblem({ a: 'x', b: 2 }, 'v1', '{ [key: string]: string; }')).toBe(
      'invalid { [key: string]: string; }: b: expected string, got 2',
    );
    expect(modelProblem({ series: [{ metric: 'm', type: '1', points: [] }] }, 'v2', 'MetricPayload')).toBe(
      'invalid MetricPayload: series[0].type: unknown enum value "1" (MetricIntakeType: 0, 1, 2, 3)',
    );
  });

  it('reads tuple-typed attributes (a widget with one request) item by item', () => {
    // QueryValueWidgetDefinition.requests is `[QueryValueWidgetRequest]` in the client's models.
    const queryValue = (request: unknown) => dashboard({ type: 'query_value', requests: [request] });
    expect(modelProblem(queryValue({ q: 'avg:a{*}', aggregator: 'avg' }), 'v1', 'Dashboard')).toBeUndefined();
    expect(modelProblem(queryValue({ q: 'avg:a{*}', aggregator: 'mean' }), 'v1', 'Dashboard')).toBe(
      'invalid Dashboard: widgets[0].definition.requests[0].aggregator: unknown enum value "mean" ' +
        '(WidgetAggregator: avg, last, max, min, sum, percentile)',
    );
    expect(modelProblem(dashboard({ type: 'query_value', requests: { q: 'a' } }), 'v1', 'Dashboard')).toBe(
      'invalid Dashboard: widgets[0].definition.requests: expected an array, got {"q":"a"}',
    );
  });

  it('fails on a model the client does not have', () => {
    expect(modelProblem({}, 'v1', 'NoSuchModel')).toBe(
      'invalid NoSuchModel: (body): the API client has no model NoSuchModel',
    );
  });
});
