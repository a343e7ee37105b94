/**
 * One run through the real entry point (bin/trace-health.js → tsx), as a user runs it: in-process tests go
 * through swc, which would hide module-loading differences (the API client is loaded lazily by this command).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeDatadog } from '../fake-datadog/server';
import { catalogRoutes } from '../fake-datadog/routes/catalog';
import { API_KEY, APP_KEY, rosterStore } from './fixtures';

const BIN = path.join(__dirname, '..', '..', 'bin', 'trace-health.js');

it('pulls the catalog through bin/trace-health.js, with keys only in the environment', async () => {
  const dd = await FakeDatadog.start([catalogRoutes(rosterStore())]);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'th-pull-bin-'));
  try {
    const env = {
      PATH: process.env.PATH,
      DD_API_KEY: API_KEY,
      DD_APP_KEY: APP_KEY,
      DD_HOST: dd.url,
      DD_SITE: 'datadoghq.eu',
    };
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [BIN, 'catalog', 'pull', '--out', 'snap.json'],
        { cwd, env },
        (err, stdout, stderr) => resolve({ code: err ? (child.exitCode ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(-2)).toEqual(['Wrote snap.json.', '']);
    const snapshot = fs.readFileSync(path.join(cwd, 'snap.json'), 'utf8');
    expect(snapshot).toBe(fs.readFileSync(path.join(__dirname, 'golden', 'roster-snapshot.json'), 'utf8'));
    for (const text of [result.stdout, snapshot]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(APP_KEY);
    }
  } finally {
    await dd.stop();
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
