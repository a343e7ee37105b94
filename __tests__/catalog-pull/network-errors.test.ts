/**
 * Network failures name their cause (connection refused, a port fetch refuses, a dropped connection) and the
 * origin, never fetch's bare `TypeError`, and never a key.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PullEvent, PullFailed, pullCatalog } from '../../src/catalog/pull';
import { main } from '../../src/cli/index';
import { memoryIo } from '../../src/cli/io';
import { describeNetworkError } from '../../src/datadog/network-error';
import { API_KEY, APP_KEY } from './fixtures';
import { closedPort, droppingServer } from '../fake-datadog/net-faults';

const keys = { apiKey: API_KEY, appKey: APP_KEY };
const FIRST = 'GET /api/v2/catalog/entity?page[offset]=0&page[limit]=100&include=schema';

describe('catalog pull: network failures name the cause', () => {
  it('a refused connection fails at once with the origin and ECONNREFUSED', async () => {
    const port = await closedPort();
    const events: PullEvent[] = [];
    const err = await pullCatalog({ baseUrl: `http://127.0.0.1:${port}` }, keys, {
      backoffMs: 1,
      onEvent: (e) => events.push(e),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(PullFailed);
    expect(err.message).toBe(
      `${FIRST}: cannot reach http://127.0.0.1:${port}: connection refused (ECONNREFUSED); check DD_SITE / DD_HOST`,
    );
    expect(events).toEqual([]);
  });

  it('a port fetch refuses to use (9, "bad port") fails at once and says so, instead of six "TypeError" retries', async () => {
    const events: PullEvent[] = [];
    const err = await pullCatalog({ baseUrl: 'http://127.0.0.1:9' }, keys, {
      backoffMs: 1,
      onEvent: (e) => events.push(e),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(PullFailed);
    expect(err.message).toBe(
      `${FIRST}: cannot reach http://127.0.0.1:9: fetch refuses port 9 as unsafe ("bad port"); use another port; ` +
        'check DD_SITE / DD_HOST',
    );
    expect(events).toEqual([]);
  });

  it('a dropped connection is retried, each retry and the final failure naming the cause', async () => {
    const server = await droppingServer();
    try {
      const events: PullEvent[] = [];
      const err = await pullCatalog({ baseUrl: server.url }, keys, {
        backoffMs: 1,
        maxRetries: 2,
        onEvent: (e) => events.push(e),
      }).catch((e) => e);
      const cause = `cannot reach ${server.url}: connection closed by the server (UND_ERR_SOCKET)`;
      expect(err).toBeInstanceOf(PullFailed);
      expect(err.message).toBe(`${FIRST} failed after 3 attempts: ${cause}`);
      expect(events.map((e) => e.type === 'retry' && e.reason)).toEqual([cause, cause]);
    } finally {
      await server.stop();
    }
  });

  it('from the command line: exit 1, one line with the cause, no keys', async () => {
    const port = await closedPort();
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'th-pull-net-'));
    try {
      const io = memoryIo({ DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, DD_HOST: `http://127.0.0.1:${port}` }, cwd);
      const code = await main(['catalog', 'pull', '--out', 's.json'], io);
      expect(code).toBe(1);
      expect(io.stdout).toBe('');
      expect(io.stderr).toBe(
        `trace-health: ${FIRST}: cannot reach http://127.0.0.1:${port}: connection refused (ECONNREFUSED); ` +
          'check DD_SITE / DD_HOST\n',
      );
      expect(fs.existsSync(path.join(cwd, 's.json'))).toBe(false);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('describeNetworkError', () => {
  const fetchFailed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });

  it('reads the code, and the address when the URL names a host', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443'), {
      code: 'ECONNREFUSED',
      address: '10.0.0.7',
      port: 443,
    });
    expect(describeNetworkError(fetchFailed(cause), 'https://dd-proxy.internal/api/v2/x', 30_000)).toEqual({
      code: 'ECONNREFUSED',
      message: 'cannot reach https://dd-proxy.internal: connection refused at 10.0.0.7:443 (ECONNREFUSED)',
      permanent: true,
    });
  });

  it('looks inside an AggregateError (several addresses tried)', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED ::1:8126'), {
      code: 'ECONNREFUSED',
      address: '::1',
      port: 8126,
    });
    const cause = new AggregateError([inner], '');
    expect(describeNetworkError(fetchFailed(cause), 'http://localhost:8126/x', 30_000).message).toBe(
      'cannot reach http://localhost:8126: connection refused at ::1:8126 (ECONNREFUSED)',
    );
  });

  it('never shows credentials from the URL, and names a timeout', () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    expect(describeNetworkError(timeout, 'https://user:s3cret@proxy.example/api', 5000)).toEqual({
      code: 'timeout',
      message: 'cannot reach https://proxy.example: no response within 5 s (timeout)',
      permanent: false,
    });
  });

  it('falls back to the cause message when there is no code', () => {
    expect(describeNetworkError(fetchFailed(new Error('unknown scheme')), 'http://h:1/x', 1000)).toEqual({
      code: 'Error',
      message: 'cannot reach http://h:1: unknown scheme',
      permanent: false,
    });
  });
});
