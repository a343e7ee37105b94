/**
 * Trace assembly: groups spans by trace id and hands each trace to the detectors once it is complete.
 *
 * "Complete" without reading everything first: exports and API pages come sorted by start time, so once the
 * input has moved `horizonMs` of span time past a trace's latest span, no more spans of it are expected and it is
 * finalized. Memory is then bounded by the traces in flight, not by the input size. If the input turns out not
 * to be time-ordered (a span arrives more than the horizon behind the newest one), early finalization stops for
 * the rest of the input; a span whose trace was already finalized is counted as malformed ("late"), never
 * silently merged into a second, partial trace that would fake orphans.
 */
import { Span, SpanSink } from './model';

export const DEFAULT_HORIZON_MS = 10 * 60 * 1000;

interface TraceBuffer {
  spans: Span[];
  maxStart: number;
}

export interface AssemblerStats {
  spans: number;
  traces: number;
  malformed: number;
  /** Malformed count per reason. */
  readonly malformedReasons: Map<string, number>;
  /** Where the first malformed span was found. */
  firstMalformed?: string;
}

export class TraceAssembler implements SpanSink {
  private readonly inFlight = new Map<string, TraceBuffer>();
  private readonly finalized = new Set<string>();
  private watermark = -Infinity;
  private ordered = true;
  private sinceSweep = 0;
  /** Peak number of traces held at once (benchmark figure). */
  peakInFlight = 0;
  readonly stats: AssemblerStats = { spans: 0, traces: 0, malformed: 0, malformedReasons: new Map() };

  constructor(
    private readonly onTrace: (spans: Span[]) => void,
    private readonly horizonMs = DEFAULT_HORIZON_MS,
  ) {}

  span(span: Span): void {
    if (span.start < this.watermark - this.horizonMs) {
      this.ordered = false;
      if (this.finalized.has(span.traceId)) {
        this.malformed('late span (its trace was already finalized; sort the input by time)', span.traceId);
        return;
      }
    }
    if (span.start > this.watermark) this.watermark = span.start;
    this.stats.spans++;
    let buf = this.inFlight.get(span.traceId);
    if (!buf) {
      buf = { spans: [], maxStart: span.start };
      this.inFlight.set(span.traceId, buf);
      if (this.inFlight.size > this.peakInFlight) this.peakInFlight = this.inFlight.size;
    }
    // Share one trace id string per trace: the span's own copy then dies young instead of waiting with it.
    const first = buf.spans[0];
    if (first !== undefined) (span as { traceId: string }).traceId = first.traceId;
    buf.spans.push(span);
    if (span.start > buf.maxStart) buf.maxStart = span.start;
    if (++this.sinceSweep >= 4096 && this.ordered) this.sweep();
  }

  malformed(reason: string, origin: string): void {
    this.stats.malformed++;
    this.stats.malformedReasons.set(reason, (this.stats.malformedReasons.get(reason) ?? 0) + 1);
    if (this.stats.firstMalformed === undefined) this.stats.firstMalformed = origin;
  }

  /** Finalize every trace still in flight (end of input). */
  finish(): void {
    const ids = [...this.inFlight.keys()];
    for (const id of ids) this.emit(id);
  }

  private sweep(): void {
    this.sinceSweep = 0;
    const cutoff = this.watermark - this.horizonMs;
    // Map iteration follows first-seen order; with time-ordered input the old traces are at the front.
    for (const [id, buf] of this.inFlight) {
      if (buf.maxStart < cutoff) {
        this.emit(id);
        this.finalized.add(id);
      }
    }
  }

  private emit(id: string): void {
    const buf = this.inFlight.get(id);
    if (!buf) return;
    this.inFlight.delete(id);
    this.stats.traces++;
    this.onTrace(buf.spans);
  }
}
