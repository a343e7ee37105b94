/** The standalone fake (`__tests__/fake-datadog/main.ts`), as terraform's child-process tests would use it. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

describe('fake Datadog launcher', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'th-fake-main-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its loopback URL, answers, and writes the requests it saw when stopped', async () => {
    const file = join(dir, 'requests.json');
    const child = spawn(TSX, ['__tests__/fake-datadog/main.ts', '--requests', file], { cwd: ROOT });
    const url = await new Promise<string>((res, rej) => {
      child.stdout.once('data', (b: Buffer) => res(b.toString().trim()));
      child.once('exit', (code) => rej(new Error(`exited ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/api/v1/monitor/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'n', type: 'query alert', query: 'avg(last_5m):avg:a{*} > 1' }),
    });
    expect(res.status).toBe(200);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([
      { method: 'POST', path: '/api/v1/monitor/validate', status: 200 },
    ]);
  });

  it('rejects an unknown argument with exit code 2', async () => {
    const child = spawn(TSX, ['__tests__/fake-datadog/main.ts', '--host', '0.0.0.0'], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(err).toBe('usage: main.ts [--port N] [--requests FILE] (unknown argument "--host")\n');
  });
});
