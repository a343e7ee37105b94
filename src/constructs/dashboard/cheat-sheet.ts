/**
 * The trace-health cheat sheet: written once, rendered into every service dashboard (and linked from monitor
 * messages). It is for the engineer who rarely opens APM and is looking at a broken trace during an incident:
 * what each signal means, where to look next, where env/version are set, which headers carry the trace, and the
 * usual causes in the service's own language. Pure markdown; nothing here may contain `${` or `%{` (Terraform
 * would try to interpolate it inside the dashboard JSON).
 */

/** What the sheet needs to know about one service. */
export interface CheatSheetContext {
  readonly service: string;
  /** The env the links point at (the first policy env). */
  readonly env: string;
  /** Catalog languages as written (`go`, `java`, `js`, `python`, …); empty → every language section. */
  readonly languages: readonly string[];
}

/** A language section: the usual reasons traces break in that runtime. */
interface LanguageNotes {
  readonly title: string;
  readonly causes: readonly string[];
}

const LANGUAGES: Readonly<Record<string, LanguageNotes>> = {
  java: {
    title: 'Java / JVM',
    causes: [
      'Work handed to a custom `ExecutorService`, `CompletableFuture` or a reactive chain (Reactor, RxJava) that the agent does not instrument: the child runs without the parent context. Wrap the executor or use a supported one.',
      'Both `dd-java-agent` and the OpenTelemetry Java agent attached (`-javaagent` twice in `JAVA_TOOL_OPTIONS`): two tracers, two traces per request. Keep one.',
      'A framework or client-library upgrade the agent version does not know yet: upgrade the agent with the framework.',
    ],
  },
  go: {
    title: 'Go',
    causes: [
      'A `context.Context` not passed down (`context.Background()` or `context.TODO()` in a handler or goroutine) starts a new trace. Pass the request context everywhere.',
      'An HTTP/gRPC client or server not wrapped by the tracer integration (or not compiled with Orchestrion): no headers injected or extracted.',
      'Mixing `dd-trace-go` spans with OpenTelemetry spans without the Datadog OTel bridge: two tracers, disconnected spans.',
    ],
  },
  node: {
    title: 'Node.js',
    causes: [
      '`dd-trace` initialised after the modules it instruments: it must be the first import (`node --require dd-trace/init`, or `--import dd-trace/initialize.mjs` for ESM).',
      'Bundlers (webpack, esbuild) inline modules so auto-instrumentation never sees them: use the esbuild plugin or mark the packages external.',
      'Callbacks run from a custom queue or pool lose the async context: keep the work inside the request’s async chain.',
    ],
  },
  python: {
    title: 'Python',
    causes: [
      'Not started with `ddtrace-run` (or `import ddtrace.auto` first): libraries imported before the tracer are not patched.',
      'Threads, `concurrent.futures`, gevent or asyncio tasks started without carrying the context: the child starts a new trace.',
      'Celery/RQ/Kafka consumers whose producer does not inject headers: every job is an unexpected root.',
    ],
  },
  ruby: {
    title: 'Ruby',
    causes: [
      '`Datadog.configure` runs after the framework has loaded, so some integrations are never activated.',
      'Threads, fibers or Sidekiq jobs started without propagating the trace context.',
    ],
  },
  dotnet: {
    title: '.NET',
    causes: [
      'Automatic instrumentation not active in the process (profiler environment variables missing in the container) while manual spans are created: disconnected traces.',
      'The `Datadog.Trace` NuGet package version differs from the automatic-instrumentation version: manual and automatic spans end up in different traces.',
    ],
  },
  php: {
    title: 'PHP',
    causes: [
      'The `ddtrace` extension is loaded for PHP-FPM but not for CLI workers and queue consumers.',
      'Requests made with a raw socket or an uninstrumented HTTP client carry no propagation headers.',
    ],
  },
};

/** Catalog language names → sections above (`js`, `javascript`, `typescript`, `nodejs` are all Node). */
const LANGUAGE_ALIASES: Readonly<Record<string, string>> = {
  java: 'java',
  kotlin: 'java',
  scala: 'java',
  go: 'go',
  golang: 'go',
  js: 'node',
  javascript: 'node',
  typescript: 'node',
  ts: 'node',
  node: 'node',
  nodejs: 'node',
  python: 'python',
  ruby: 'ruby',
  dotnet: 'dotnet',
  '.net': 'dotnet',
  csharp: 'dotnet',
  'c#': 'dotnet',
  php: 'php',
};

/** Language sections for the given catalog languages, in the fixed order of `LANGUAGES`; all when none match. */
export function languageSections(languages: readonly string[]): string[] {
  const wanted = new Set(languages.map((l) => LANGUAGE_ALIASES[l.trim().toLowerCase()]).filter(Boolean));
  const keys = Object.keys(LANGUAGES);
  return wanted.size ? keys.filter((k) => wanted.has(k)) : keys;
}

/** The signals and what to do about each (same for every service). */
export function cheatSheetSignals(): string {
  return [
    '## Cheat sheet: reading trace health',
    '',
    '**Orphan span**: a span whose `parent_id` points to a span that is not in the trace. The request was one, but it shows up as several pieces. Usual causes: the parent was created by a second tracer (different trace), context was lost across a thread/async boundary, or the parent’s service dropped or never flushed its spans (short-lived process, crash, agent unreachable).',
    '',
    '**Unexpected root**: a trace that *starts* in this service although only traced services call it (catalog `dependsOn`, policy `entrypoints`). Propagation was lost upstream: the caller did not inject headers, a proxy, load balancer or queue stripped them, or this service does not extract the style the caller sends.',
    '',
    '**Unpaired call**: the caller has a client span to a catalog service, but no server span of that service is below it. The break is on that edge: compare the propagation styles of both sides, check proxies in between, check that the callee instruments that protocol (gRPC, messaging).',
    '',
    '**Two tracers**: spans from more than one tracing-library family (Datadog tracer and OpenTelemetry SDK), or a server span directly inside a server span of the same service and resource. Each library starts its own traces or doubles the spans. Keep one, or make the Datadog tracer the OpenTelemetry API provider (`DD_TRACE_OTEL_ENABLED=true`).',
    '',
    '**Tag coverage**: the share of spans in a scope that carry a tag (`usr.id` on entry spans, `error.message` on error spans). A drop is nearly always a deploy: read the *by version* graph.',
  ].join('\n');
}

/** Where to look, step by step, for this service. */
export function cheatSheetInvestigate(ctx: CheatSheetContext): string {
  return [
    '## How to investigate',
    '',
    `1. **Which deploy broke it?** Read the *by version* graphs below: the version whose line drops (or jumps) is the one. Deploy markers are the trace-health collector's "version first seen" events: one per new \`version\` in this service's sampled traces (so the spans need \`version\`, and \`collect --live --submit --state\` must run). Set the version template variable to compare two versions. The APM service page (link above) lists versions with first/last seen times.`,
    `2. **Look at real traces**: open the Trace Explorer links above for \`env:${ctx.env}\`; the monitor notification and the collector report link example trace ids.`,
    '3. **Find the edge**: *Unpaired calls by callee* names the caller→callee pair where context is lost. Open one trace that crosses it and compare the headers each side sends and reads.',
    '4. **Check the tracer set-up** of the services involved (next section), then the recent changes: framework upgrades, tracing-library upgrades, a new proxy or queue.',
  ].join('\n');
}

/** Env/version settings and propagation headers (same for every service). */
export function cheatSheetSetup(ctx: CheatSheetContext): string {
  return [
    '## Where env and version are set',
    '',
    '| where | env | version | service |',
    '|---|---|---|---|',
    '| Datadog tracer | `DD_ENV` | `DD_VERSION` | `DD_SERVICE` |',
    '| OpenTelemetry SDK | `OTEL_RESOURCE_ATTRIBUTES=deployment.environment.name=…` | `OTEL_RESOURCE_ATTRIBUTES=service.version=…` | `OTEL_SERVICE_NAME` |',
    '| Kubernetes labels (admission controller) | `tags.datadoghq.com/env` | `tags.datadoghq.com/version` | `tags.datadoghq.com/service` |',
    '',
    `Without \`version\` you cannot tell which deploy broke a trace. This service should report \`service:${ctx.service}\` and \`env:${ctx.env}\`.`,
    '',
    '## Propagation headers to check',
    '',
    '- **Datadog**: `x-datadog-trace-id`, `x-datadog-parent-id`, `x-datadog-sampling-priority`, `x-datadog-tags`.',
    '- **W3C trace context**: `traceparent`, `tracestate`.',
    '- **B3** (Zipkin, some meshes): `b3` or `X-B3-TraceId`/`X-B3-SpanId`.',
    '',
    'Caller and callee must share at least one style: `DD_TRACE_PROPAGATION_STYLE=datadog,tracecontext` (Datadog tracers), `OTEL_PROPAGATORS=tracecontext,baggage` (OpenTelemetry). Proxies, API gateways and queues must forward these headers (or message attributes).',
  ].join('\n');
}

/** Usual causes for the service's languages (all languages when the catalog lists none we know). */
export function cheatSheetLanguages(ctx: CheatSheetContext): string {
  const lines = ['## Common causes by language', ''];
  for (const key of languageSections(ctx.languages)) {
    const section = LANGUAGES[key];
    lines.push(`**${section.title}**`, '', ...section.causes.map((c) => `- ${c}`), '');
  }
  return lines.join('\n').trimEnd();
}
