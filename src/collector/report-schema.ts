/**
 * The JSON report's contract (`collect --format json`) as JSON Schema, published in
 * `schema/trace-health-report.schema.json` by `npm run schema` and documented in docs/collector-report.md. A test
 * validates the report of the bundled examples against it (every object closed with `additionalProperties: false`),
 * so the schema cannot drift from what `buildReport` writes (src/collector/report.ts, findings.ts).
 */
import { TSchema, Type } from '@sinclair/typebox';
import { FINDING_KINDS, SEVERITIES } from './findings';

const Ratio = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]);
const Count = Type.Integer({ minimum: 0 });
const TraceIds = Type.Array(Type.String({ description: 'trace id (decimal or hex, as a string)' }));
const NullableString = Type.Union([Type.String(), Type.Null()]);

const Coverage = Type.Object(
  { covered: Count, total: Count, ratio: Ratio },
  { additionalProperties: false, description: 'spans in scope carrying the tag / spans in scope' },
);
const CoverageMap = Type.Record(Type.String(), Coverage);

const ServiceReportSchema = Type.Object(
  {
    spans: Type.Integer({ minimum: 0, description: 'spans checked (excluded spans not counted)' }),
    orphanSpans: Count,
    orphanRate: Ratio,
    rootSpans: Count,
    unexpectedRoots: Count,
    unpairedCalls: Type.Record(Type.String(), Count),
    tracers: Type.Array(Type.Union([Type.Literal('datadog'), Type.Literal('opentelemetry')])),
    languages: Type.Array(Type.String(), { description: 'languages the tracers report, sorted' }),
    calls: Type.Array(Type.String(), {
      description: "services this one was seen calling (client spans' peer.service, children in another service)",
    }),
    multipleTracers: Type.Boolean(),
    doubleInstrumentedSpans: Count,
    tagCoverage: CoverageMap,
    byVersion: Type.Record(
      Type.String(),
      Type.Object({ spans: Count, orphanSpans: Count, tagCoverage: CoverageMap }, { additionalProperties: false }),
    ),
    examples: Type.Object(
      {
        orphanSpans: TraceIds,
        unexpectedRoots: TraceIds,
        unpairedCalls: Type.Record(Type.String(), TraceIds),
        doubleInstrumentedSpans: TraceIds,
        tracers: Type.Record(Type.String(), TraceIds),
        missingTags: Type.Record(Type.String(), TraceIds),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const Source = Type.Object(
  {
    key: Type.String({ description: 'policy key, e.g. orphanRate.critical, minSpans' }),
    layer: Type.String({ description: 'the trace-health.yaml layer that set it: builtin, defaults, tiers.1, …' }),
  },
  { additionalProperties: false },
);

export const FindingSchema = Type.Object(
  {
    kind: Type.Unsafe<string>({ type: 'string', enum: [...FINDING_KINDS] }),
    severity: Type.Unsafe<string>({
      type: 'string',
      enum: [...SEVERITIES],
      description:
        'critical/warning: the state the generated monitor would be in (Alert/Warn) for this figure; info: worth knowing, no monitor fires (below the volume guard, or catalog coverage)',
    }),
    service: Type.String(),
    team: Type.String(),
    env: NullableString,
    version: Type.Union([Type.String(), Type.Null()], {
      description: 'the version group (orphan-rate, unexpected-roots); null for checks judged per service and env',
    }),
    tag: NullableString,
    callee: NullableString,
    measure: Type.String({ description: 'what value is, e.g. "orphan spans / checked spans"' }),
    value: Type.Union([Type.Number(), Type.Null()], {
      description: 'what the monitor compares with its thresholds (6 decimals)',
    }),
    numerator: Type.Union([Count, Type.Null()]),
    denominator: Type.Union([Count, Type.Null()]),
    threshold: Type.Union([
      Type.Object(
        {
          comparator: Type.Union([Type.Literal('>'), Type.Literal('>=')]),
          critical: Type.Number(),
          warning: Type.Union([Type.Number(), Type.Null()]),
          criticalFrom: Source,
          warningFrom: Type.Union([Source, Type.Null()]),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    guard: Type.Union([
      Type.Object(
        {
          minSpans: Count,
          counts: Type.String(),
          count: Count,
          met: Type.Boolean(),
          from: Source,
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    summary: Type.String(),
    likelyCause: Type.String(),
    remediation: Type.String(),
    likelyCaller: Type.Union([
      Type.Object({ service: Type.String(), evidence: Type.String() }, { additionalProperties: false }),
      Type.Null(),
    ]),
    examples: Type.Array(Type.Object({ traceId: Type.String(), url: Type.String() }, { additionalProperties: false })),
    links: Type.Object(
      {
        service: Type.String(),
        dashboard: Type.String(),
        traceExplorer: Type.String(),
        runbook: NullableString,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const ReportSchema = Type.Object(
  {
    window: Type.Object({ from: NullableString, to: NullableString }, { additionalProperties: false }),
    env: Type.Object(
      {
        watched: Type.Array(Type.String(), { description: "the policy's envs; empty: every env" }),
        seen: Type.Record(Type.String(), Count, { description: 'env → spans checked' }),
        skipped: Type.Record(Type.String(), Count, { description: 'env → spans of envs outside watched' }),
      },
      { additionalProperties: false },
    ),
    totals: Type.Object(
      {
        spans: Count,
        traces: Count,
        excludedSpans: Count,
        excludedByReason: Type.Record(Type.String(), Count),
        malformedSpans: Count,
      },
      { additionalProperties: false },
    ),
    incompletePages: Type.Array(
      Type.Object({ source: Type.String(), reason: Type.String() }, { additionalProperties: false }),
    ),
    services: Type.Record(Type.String(), ServiceReportSchema),
    findings: Type.Array(FindingSchema, { description: 'worst first (severity, then service, kind, env, version)' }),
  },
  {
    additionalProperties: true,
    title: 'trace-health collect report',
    description:
      'The JSON report of `trace-health collect --format json` (docs/collector-report.md). New keys may be added; existing ones keep their meaning.',
  },
);

/** The JSON Schema as published in `schema/trace-health-report.schema.json`. */
export function reportJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(ReportSchema as TSchema)) as Record<string, unknown>;
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...plain };
}
