/**
 * What went wrong when `fetch` could not talk to the API at all. Node's fetch throws `TypeError: fetch failed` and
 * keeps the real error in `.cause` (`code: 'ECONNREFUSED'`, `address`, `port`; an `AggregateError` when several
 * addresses were tried; `Error: bad port` for ports fetch refuses to use). The messages name the origin (never
 * credentials from DD_HOST, never keys) and the cause, e.g.
 * `cannot reach http://127.0.0.1:9: connection refused (ECONNREFUSED)`.
 */

export interface NetworkFailure {
  /** `ECONNREFUSED`, `ENOTFOUND`, `timeout`, `bad port`, or the error's name when nothing better is known. */
  readonly code: string;
  /** `cannot reach http://127.0.0.1:9: connection refused (ECONNREFUSED)`. */
  readonly message: string;
  /** A wrong address or setting: retrying only delays the message. */
  readonly permanent: boolean;
}

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not verifiable',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate is for another host',
  EPROTO: 'TLS handshake failed (http:// vs https://?)',
};

const PERMANENT = new Set([
  'ENOTFOUND',
  'ECONNREFUSED',
  'EAI_AGAIN',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'bad port',
]);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  address?: string;
  port?: number;
  cause?: unknown;
  errors?: unknown[];
}

/** `url`: the request URL (its origin is shown, without credentials). `timeoutMs`: the per-request timeout. */
export function describeNetworkError(e: unknown, url: string, timeoutMs: number): NetworkFailure {
  const where = `cannot reach ${originOf(url)}`;
  const err = (e ?? {}) as ErrorLike;
  const cause = (err.cause ?? undefined) as ErrorLike | undefined;
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || cause?.name === 'TimeoutError')
    return {
      code: 'timeout',
      message: `${where}: no response within ${timeoutMs / 1000} s (timeout)`,
      permanent: false,
    };
  // An AggregateError (several addresses tried): its own code, else the first inner error that has one.
  const inner = Array.isArray(cause?.errors) ? (cause!.errors as ErrorLike[]).find((x) => x?.code) : undefined;
  const code = cause?.code ?? inner?.code ?? err.code;
  if (code) {
    const reason = REASONS[code] ?? (cause?.message || inner?.message || code);
    const address = cause?.address ?? inner?.address;
    const port = cause?.port ?? inner?.port;
    const target = address && !url.includes(`//${address}`) ? ` at ${address}${port ? `:${port}` : ''}` : '';
    return { code, message: `${where}: ${reason}${target} (${code})`, permanent: PERMANENT.has(code) };
  }
  if (cause?.message === 'bad port') {
    const port = safeUrl(url)?.port;
    return {
      code: 'bad port',
      message: `${where}: fetch refuses port ${port || '?'} as unsafe ("bad port"); use another port`,
      permanent: true,
    };
  }
  const text = cause?.message || err.message || err.name || String(e);
  return { code: cause?.name ?? err.name ?? 'unknown', message: `${where}: ${text}`, permanent: false };
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** `https://api.datadoghq.eu`, `http://127.0.0.1:9`: no path, no credentials. */
function originOf(url: string): string {
  return safeUrl(url)?.origin ?? url.replace(/\/\/[^/@\s]*@/, '//').replace(/^([a-z]+:\/\/[^/]*).*$/i, '$1');
}
