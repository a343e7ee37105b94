import { Span } from '../../src/collector/model';

export const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

/** A hand-built span: defaults to a Datadog server span of `svc`, version 1.0, env prod. */
export function span(p: Partial<Span> & { traceId: string; spanId: string; service: string }): Span {
  return {
    parentId: undefined,
    env: 'prod',
    version: '1.0',
    resource: 'GET /',
    operation: 'http.request',
    error: false,
    tags: undefined,
    attributes: {},
    kind: 'server',
    peerService: undefined,
    tracer: 'datadog',
    start: T0,
    excludedBy: undefined,
    ...p,
  };
}
