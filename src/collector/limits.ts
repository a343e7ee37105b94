/**
 * Spans API budget and `--serve` defaults, apart from the client and server modules so that the CLI can show them
 * in --help without loading the API client (1.5–2 s) or the protobuf decoder.
 */

/** 300 requests/hour at one run every 15 minutes. */
export const DEFAULT_MAX_REQUESTS = 75;

/** OTLP/HTTP's standard port, on loopback unless told otherwise. */
export const DEFAULT_LISTEN = '127.0.0.1:4318';
/** Traces in flight at most (about 1 KB each with a few spans). */
export const DEFAULT_MAX_TRACES = 200_000;
