/**
 * The live collector's state file (`--state FILE`): the end of the last window whose metrics were submitted, and
 * the submission in progress. The pending submission is written BEFORE anything is sent and each payload is marked
 * as sent right after Datadog accepts it, so a crash between pull and submit loses nothing (the next run sends
 * what is pending) and duplicates nothing (a sent payload is never sent again, a processed window never pulled
 * again). Written atomically (temporary file + rename).
 *
 * Deploy markers ride along: the versions seen so far and the window's new-version events are saved in the same
 * write as the pending metrics, and each event is marked done right after Datadog accepts it — the same
 * guarantees (a crash before the save re-pulls the window and finds the same new versions; after it, the next run
 * posts what is left, once).
 */
import fs from 'node:fs';
import { writeFileAtomic } from '../fs-atomic';
import type { VersionFirstSeen } from '../datadog/deploy-events';
import { UserError } from '../errors';
import type { VersionsSeen } from './deploy-markers';
import type { SeriesPayload } from './series';

export const STATE_FORMAT = 'trace-health/collector-state';
export const STATE_VERSION = 1;

export interface PendingSubmission {
  /** ISO times of the window the payloads count. */
  readonly window: { readonly from: string; readonly to: string };
  readonly payloads: readonly SeriesPayload[];
  /** sent[i]: payloads[i] was accepted by Datadog. */
  readonly sent: readonly boolean[];
  /** Deploy markers of the window (absent when there are none). */
  readonly events?: readonly VersionFirstSeen[];
  /** eventsDone[i]: events[i] was accepted, or refused as invalid or too old (never retried). */
  readonly eventsDone?: readonly boolean[];
}

export interface CollectorState {
  readonly format: typeof STATE_FORMAT;
  readonly version: typeof STATE_VERSION;
  /** End (ISO) of the last window fully processed: the next window starts here. */
  readonly lastWindowEnd?: string;
  readonly pending?: PendingSubmission;
  /** Versions seen per service and env, for deploy markers (absent until the first submission with this file). */
  readonly versions?: VersionsSeen;
}

export function emptyState(): CollectorState {
  return { format: STATE_FORMAT, version: STATE_VERSION };
}

/** Read the state; a missing file is a fresh state, anything unreadable a UserError naming the file. */
export function readState(file: string, shown: string): CollectorState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new UserError(`${shown}: cannot read the state file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UserError(`${shown}: not a collector state file (invalid JSON); delete it to start over`);
  }
  const d = doc as Partial<CollectorState>;
  if (d === null || typeof d !== 'object' || d.format !== STATE_FORMAT)
    throw new UserError(`${shown}: not a collector state file (format is not ${JSON.stringify(STATE_FORMAT)})`);
  if (d.version !== STATE_VERSION)
    throw new UserError(
      `${shown}: state version ${JSON.stringify(d.version)} is not supported (expected ${STATE_VERSION})`,
    );
  if (d.lastWindowEnd !== undefined && !isTime(d.lastWindowEnd))
    throw new UserError(`${shown}: lastWindowEnd: ${JSON.stringify(d.lastWindowEnd)} is not an ISO time`);
  const p = d.pending;
  if (
    p !== undefined &&
    // `typeof null` is 'object': a hand-edited `"pending": null` must be refused, not crash.
    (!isObject(p) ||
      !Array.isArray(p.payloads) ||
      !Array.isArray(p.sent) ||
      p.sent.length !== p.payloads.length ||
      !isObject(p.window) ||
      !isTime(p.window.to))
  )
    throw new UserError(`${shown}: pending: not a valid pending submission; delete the file to start over`);
  if (p?.events !== undefined && !validEvents(p.events, p.eventsDone))
    throw new UserError(`${shown}: pending.events: not a list of deploy markers; delete the file to start over`);
  if (d.versions !== undefined && !validVersions(d.versions))
    throw new UserError(
      `${shown}: versions: not a map of service → env → version → ISO time; delete the file to start over`,
    );
  return d as CollectorState;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isTime = (x: unknown) => typeof x === 'string' && Number.isFinite(Date.parse(x));

function validEvents(events: unknown, done: unknown): boolean {
  return (
    Array.isArray(events) &&
    Array.isArray(done) &&
    done.length === events.length &&
    done.every((x) => typeof x === 'boolean') &&
    events.every(
      (e) =>
        isObject(e) &&
        typeof e.service === 'string' &&
        typeof e.version === 'string' &&
        (e.env === undefined || typeof e.env === 'string') &&
        isTime(e.firstSeen),
    )
  );
}

function validVersions(v: unknown): boolean {
  return (
    isObject(v) &&
    Object.values(v).every(
      (envs) => isObject(envs) && Object.values(envs).every((vs) => isObject(vs) && Object.values(vs).every(isTime)),
    )
  );
}

export function writeState(file: string, state: CollectorState): void {
  writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}
