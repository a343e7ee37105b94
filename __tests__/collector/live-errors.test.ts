/**
 * `collect --live` usage and network errors: windows that cannot be collected are usage errors (exit 2) naming the
 * values; an unreachable API names the cause (exit 1), also when the request budget is tiny.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli';
import { memoryIo } from '../../src/cli/io';
import { parseTime, parseWindow } from '../../src/collector/time';
import { UserError } from '../../src/errors';
import { closedPort, droppingServer } from '../fake-datadog/net-faults';

const KEYS = { DD_API_KEY: 'api-key-secret-1234', DD_APP_KEY: 'app-key-secret-5678' };
const NOW = Date.parse('2026-11-28T12:00:00Z');
const SEARCH = 'POST /api/v2/spans/events/search (page 1)';

describe('collect --live: the window', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-window-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[]) {
    const io = memoryIo({ ...KEYS, DD_HOST: 'http://127.0.0.1:9' }, dir);
    const code = await main(['collect', '--live', ...args], io);
    return { code, stdout: io.stdout, stderr: io.stderr };
  }

  it('--from after --to is a usage error naming both values, not "nothing to collect"', async () => {
    const r = await run(['--from', '1h', '--to', '2h']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^trace-health: --from "1h" \(\S+Z\) is not before --to "2h" \(\S+Z\): the window must start before it ends \(durations count back from now: --from 2h --to 1h\)\n$/,
    );
  });

  it('a --to in the future is a usage error with the value', async () => {
    const r = await run(['--to', '2999-01-01T00:00:00Z']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^trace-health: --to "2999-01-01T00:00:00Z" \(2999-01-01T00:00:00\.000Z\) is in the future \(now is \S+Z\): the window can end at the latest now\n$/,
    );
  });

  it('a window inside the last minute (not yet searchable) is a usage error, not "already processed"', async () => {
    const r = await run(['--from', '30s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^trace-health: --from: the window starts at \S+Z, but it ends 60 s before now \(\S+Z\) because spans become searchable late; start it earlier \(e\.g\. --from 15m\)\n$/,
    );
  });

  it.each([
    ['2026-02-30T00:00:00Z', 'no such date or time of day'],
    ['2026-11-28T25:00:00Z', 'no such date or time of day'],
    ['2026-11-28T10:00:00', 'no time zone: add Z for UTC, or an offset like +01:00'],
    ['-5m', 'durations count back from now, without a sign'],
    ['1.5h', 'not a duration or ISO time'],
    ['999999999d', 'more than a year ago'],
    ['', 'not a duration or ISO time'],
  ])('a malformed --from %j is a usage error with the value (%s)', async (value, why) => {
    const r = await run(['--from', value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `trace-health: --from: ${JSON.stringify(value)} is not a time (${why}; use a duration before now like 15m, 1h, ` +
        '2d, or an ISO timestamp like 2026-11-28T12:00:00Z)\n',
    );
  });
});

describe('parseTime / parseWindow', () => {
  it('reads durations, now, and ISO times with a zone', () => {
    expect(parseTime('--from', '15m', NOW)).toBe(NOW - 15 * 60_000);
    expect(parseTime('--from', '90 s', NOW)).toBe(NOW - 90_000);
    expect(parseTime('--from', 'now', NOW)).toBe(NOW);
    expect(parseTime('--from', '2026-11-28T11:00:00Z', NOW)).toBe(NOW - 3_600_000);
    expect(parseTime('--from', '2026-11-28T12:00:00+01:00', NOW)).toBe(NOW - 3_600_000);
    expect(parseTime('--from', '2026-11-28T11:30:00.250Z', NOW)).toBe(NOW - 1_799_750);
    expect(parseTime('--from', '2024-02-29T00:00Z', Date.parse('2024-03-01T00:00:00Z'))).toBe(
      Date.parse('2024-02-29T00:00:00Z'),
    );
  });

  it('gives the window, with --to defaulting to now', () => {
    expect(parseWindow('1h', undefined, NOW)).toEqual({ from: NOW - 3_600_000, to: NOW });
    expect(parseWindow('2h', '1h', NOW)).toEqual({ from: NOW - 7_200_000, to: NOW - 3_600_000 });
  });

  it('refuses an empty or reversed window and a future end', () => {
    expect(() => parseWindow('now', undefined, NOW)).toThrow(
      new UserError(
        '--from "now" (2026-11-28T12:00:00.000Z) is not before --to (default now, 2026-11-28T12:00:00.000Z): ' +
          'the window must start before it ends (durations count back from now: --from 2h --to 1h)',
      ),
    );
    expect(() => parseWindow('1h', '1h', NOW)).toThrow(
      /^--from "1h" \(2026-11-28T11:00:00\.000Z\) is not before --to "1h"/,
    );
    expect(() => parseWindow('1h', '2026-11-28T12:00:01Z', NOW)).toThrow(
      new UserError(
        '--to "2026-11-28T12:00:01Z" (2026-11-28T12:00:01.000Z) is in the future (now is 2026-11-28T12:00:00.000Z): ' +
          'the window can end at the latest now',
      ),
    );
  });
});

describe('collect --live: an unreachable API names the cause', () => {
  const env = (host: string) => ({ ...KEYS, DD_HOST: host });

  async function run(host: string, args: string[] = []) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collect-net-'));
    try {
      const io = memoryIo(env(host), dir);
      const code = await main(['collect', '--live', ...args], io);
      expect(io.stdout).toBe('');
      expect(io.stderr).not.toContain(KEYS.DD_API_KEY);
      expect(io.stderr).not.toContain(KEYS.DD_APP_KEY);
      return { code, stderr: io.stderr };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('connection refused: exit 1 with the origin and ECONNREFUSED', async () => {
    const port = await closedPort();
    const r = await run(`http://127.0.0.1:${port}`);
    expect(r).toEqual({
      code: 1,
      stderr: `trace-health: ${SEARCH}: cannot reach http://127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`,
    });
  });

  it('a port fetch refuses: exit 1 saying so', async () => {
    const r = await run('http://127.0.0.1:9');
    expect(r).toEqual({
      code: 1,
      stderr: `trace-health: ${SEARCH}: cannot reach http://127.0.0.1:9: fetch refuses port 9 as unsafe ("bad port"); use another port\n`,
    });
  });

  it('--max-requests 1 against an unreachable host reports the connection failure, not the budget', async () => {
    const port = await closedPort();
    const r = await run(`http://127.0.0.1:${port}`, ['--max-requests', '1']);
    expect(r).toEqual({
      code: 1,
      stderr: `trace-health: ${SEARCH}: cannot reach http://127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`,
    });
  });

  it('a dropped connection is retried within the budget, then named (also when the budget ends the retries)', async () => {
    const server = await droppingServer();
    try {
      const cause = `cannot reach ${server.url}: connection closed by the server (UND_ERR_SOCKET)`;
      expect(await run(server.url)).toEqual({ code: 1, stderr: `trace-health: ${SEARCH}: ${cause}\n` });
      expect(server.connections()).toBe(3);
      expect(await run(server.url, ['--max-requests', '2'])).toEqual({
        code: 1,
        stderr: `trace-health: ${SEARCH}: ${cause}\n`,
      });
      expect(server.connections()).toBe(5);
    } finally {
      await server.stop();
    }
  });
});
