/**
 * Trace assembly: groups spans by trace id and hands each trace to the detectors once it is complete.
 *
 * "Complete" without reading everything first: exports and API pages come sorted by start time, so once the
 * input has moved `horizonMs` of span time past a trace's latest span, no more spans of it are expected and it is
 * finalized. Memory is then bounded by the traces in flight, not by the input size. If the input turns out not
 * to be time-ordered (a span arrives more than the horizon behind the newest one), early finalization stops for
 * the rest of the input; a span whose trace was already finalized is counted as malformed ("late"), never
 * silently merged into a second, partial trace that would fake orphans.
 *
 * Streaming (`collect --serve`): spans arrive as services export them, in roughly end-time order, so a span far
 * behind the newest one is normal (a long request's root span arrives last) and never stops finalization. The ids
 * of finalized traces are remembered for two horizons of span time (memory stays bounded on an endless stream),
 * and while nothing arrives the wall time that passes moves the horizon on (`idle`), so the last traces of a
 * burst complete without waiting for more traffic.
 */
import { Span, SpanSink } from './model';

export const DEFAULT_HORIZON_MS = 10 * 60 * 1000;

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
  /** Trace id → slot. Map order is first-seen order: finish() and every sweep emit in it. */
  private readonly inFlightIds = new Map<string, number>();
  // Per slot: the spans, the latest start, the trace id, the first-seen sequence number. A sweep scans `latest` (a
  // flat array of numbers) instead of touching every buffer: by then the buffers are old, each touch a cache miss.
  private readonly slotSpans: (Span[] | undefined)[] = [];
  private readonly slotIds: (string | undefined)[] = [];
  private latest = new Float64Array(1024);
  private seq = new Float64Array(1024);
  private readonly freeSlots: number[] = [];
  private nextSeq = 0;
  private finalized = new Set<string>();
  /** Streaming: the previous generation of finalized ids (see `rotate`). */
  private finalizedBefore = new Set<string>();
  private rotatedAt = -Infinity;
  private watermark = -Infinity;
  private ordered = true;
  private sinceSweep = 0;
  /** Peak number of traces held at once (benchmark figure). */
  peakInFlight = 0;
  readonly stats: AssemblerStats = { spans: 0, traces: 0, malformed: 0, malformedReasons: new Map() };

  constructor(
    private readonly onTrace: (spans: Span[]) => void,
    private readonly horizonMs = DEFAULT_HORIZON_MS,
    private readonly streaming = false,
  ) {}

  /** Traces held now. */
  get inFlight(): number {
    return this.inFlightIds.size;
  }

  span(span: Span): void {
    if (span.start < this.watermark - this.horizonMs) {
      if (!this.streaming) this.ordered = false;
      if (this.finalized.has(span.traceId) || this.finalizedBefore.has(span.traceId)) {
        this.malformed(
          this.streaming
            ? 'late span (its trace was already finalized; it arrived more than --horizon after the newest span)'
            : 'late span (its trace was already finalized; sort the input by time)',
          span.traceId,
        );
        return;
      }
    }
    if (span.start > this.watermark) this.watermark = span.start;
    this.stats.spans++;
    let slot = this.inFlightIds.get(span.traceId);
    if (slot === undefined) {
      slot = this.newSlot(span.traceId, span.start);
      this.inFlightIds.set(span.traceId, slot);
      if (this.inFlightIds.size > this.peakInFlight) this.peakInFlight = this.inFlightIds.size;
    }
    const spans = this.slotSpans[slot]!;
    // Share one trace id string per trace: the span's own copy then dies young instead of waiting with it.
    const first = spans[0];
    if (first !== undefined) (span as { traceId: string }).traceId = first.traceId;
    spans.push(span);
    if (span.start > this.latest[slot]) this.latest[slot] = span.start;
    if (++this.sinceSweep >= 4096 && this.ordered && !this.streaming) this.sweep();
  }

  /**
   * Streaming: finalize what is complete, between two export requests. Never in the middle of one: a request holds
   * the spans of a trace grouped by resource, not in time order, so a sweep half way could cut a trace in two.
   */
  settle(): void {
    if (this.sinceSweep >= 4096) this.sweep();
  }

  malformed(reason: string, origin: string): void {
    this.stats.malformed++;
    this.stats.malformedReasons.set(reason, (this.stats.malformedReasons.get(reason) ?? 0) + 1);
    if (this.stats.firstMalformed === undefined) this.stats.firstMalformed = origin;
  }

  /**
   * Streaming, while no span arrives: finalize the traces that would be complete had span time moved on by
   * `elapsedMs` of wall time since the last span.
   */
  idle(elapsedMs: number): void {
    if (this.watermark === -Infinity) return;
    this.sweep(this.watermark + elapsedMs - this.horizonMs);
  }

  /** Hand over every trace in flight without finalizing it (to be restored later with `span`), oldest first. */
  drain(): Span[][] {
    const out: Span[][] = [];
    for (const id of [...this.inFlightIds.keys()]) {
      const slot = this.inFlightIds.get(id)!;
      this.inFlightIds.delete(id);
      out.push(this.slotSpans[slot]!);
      this.slotSpans[slot] = undefined;
      this.slotIds[slot] = undefined;
      this.freeSlots.push(slot);
    }
    return out;
  }

  /** Finalize every trace still in flight (end of input). */
  finish(): void {
    const ids = [...this.inFlightIds.keys()];
    for (const id of ids) this.emit(id);
  }

  private newSlot(id: string, start: number): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slotSpans.length;
      if (slot === this.latest.length) {
        const latest = new Float64Array(slot * 2);
        latest.set(this.latest);
        this.latest = latest;
        const seq = new Float64Array(slot * 2);
        seq.set(this.seq);
        this.seq = seq;
      }
      this.slotSpans.push(undefined);
      this.slotIds.push(undefined);
    }
    this.slotSpans[slot] = [];
    this.slotIds[slot] = id;
    this.latest[slot] = start;
    this.seq[slot] = this.nextSeq++;
    return slot;
  }

  private sweep(cutoff = this.watermark - this.horizonMs): void {
    this.sinceSweep = 0;
    if (this.streaming) this.rotate();
    const due: number[] = [];
    for (let slot = 0; slot < this.slotSpans.length; slot++)
      if (this.slotSpans[slot] !== undefined && this.latest[slot] < cutoff) due.push(slot);
    // In first-seen order, as iterating the map would (slots are reused, so slot order is not that order).
    const seq = this.seq;
    due.sort((a, b) => seq[a] - seq[b]);
    for (const slot of due) {
      const id = this.slotIds[slot]!;
      this.emit(id);
      this.finalized.add(id);
    }
  }

  /** Streaming: start a new generation of finalized ids every horizon of span time; the one before is dropped. */
  private rotate(): void {
    if (this.rotatedAt === -Infinity) this.rotatedAt = this.watermark;
    if (this.watermark - this.rotatedAt < this.horizonMs) return;
    this.finalizedBefore = this.finalized;
    this.finalized = new Set();
    this.rotatedAt = this.watermark;
  }

  private emit(id: string): void {
    const slot = this.inFlightIds.get(id);
    if (slot === undefined) return;
    this.inFlightIds.delete(id);
    const spans = this.slotSpans[slot]!;
    this.slotSpans[slot] = undefined;
    this.slotIds[slot] = undefined;
    this.freeSlots.push(slot);
    this.stats.traces++;
    this.onTrace(spans);
  }
}
