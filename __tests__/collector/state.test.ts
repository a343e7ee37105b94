/** The collector's state file: hand-edited or damaged files are refused with the file, the key and the value. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readState } from '../../src/collector/state';
import { UserError } from '../../src/errors';

const HEAD = { format: 'trace-health/collector-state', version: 1 };

describe('readState', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'collector-state-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const read = (doc: unknown) => {
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(doc));
    try {
      return readState(path.join(dir, 'state.json'), 'state.json');
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      return `exit ${e.exitCode}: ${e.message}`;
    }
  };

  it('reads a state with a window end', () => {
    expect(read({ ...HEAD, lastWindowEnd: '2026-01-01T00:00:00Z' })).toEqual({
      ...HEAD,
      lastWindowEnd: '2026-01-01T00:00:00Z',
    });
  });

  it.each([
    [{ pending: null }, 'exit 2: state.json: pending: not a valid pending submission; delete the file to start over'],
    [
      { pending: { payloads: [], sent: [], window: null } },
      'exit 2: state.json: pending: not a valid pending submission; delete the file to start over',
    ],
    [{ pending: [] }, 'exit 2: state.json: pending: not a valid pending submission; delete the file to start over'],
    // Date.parse(5) is a date in 2001: only ISO strings are times.
    [{ lastWindowEnd: 5 }, 'exit 2: state.json: lastWindowEnd: 5 is not an ISO time'],
  ])('refuses %j with the key and the value', (extra, message) => {
    expect(read({ ...HEAD, ...extra })).toBe(message);
  });
});
