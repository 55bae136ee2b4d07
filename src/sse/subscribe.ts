/**
 * One viewer of a generation as a byte stream: a `retry:` hint and a comment at once (so headers
 * leave before the first token), the recorded events from the viewer's cursor, then live ones,
 * with heartbeats.
 *
 * Pushed while the client keeps up, pulled when it falls behind: a new event is enqueued at once
 * if the stream's queue has room, else it waits in the generation's log until the stream pulls.
 * So a slow reader costs no memory beyond the shared log, and a live token costs no promise: the
 * awaited promises of one pull per event were ~10% of the JS thread's samples in a relay
 * benchmark profile at 1,000 streams, the push path ~3%.
 */
import type { GenerationEvent } from "../contract.ts";
import type { GenerationView } from "../generation/view.ts";
import type { Dialect } from "./dialects.ts";
import { encodeComment, encodeEvents, encodeOpening, type SseMessage } from "./encode.ts";

export interface SubscribeOptions {
  /** Events already seen: 0 replays from the start. */
  after: number;
  dialect: Dialect;
  heartbeatMs: number;
  retryMs: number;
  /** The request's signal: a second path to notice a client that left. */
  signal?: AbortSignal;
  /** Called once when the viewer is gone or the stream ended. */
  onClose?: () => void;
}

const PING = encodeComment("ping");

// Live viewers of one generation encode the same event at the same moment: its bytes are made
// once and shared. With 1,000 viewers of 50 answers, per-viewer encoding was the bulk of the
// garbage (~80 MB/s, scripts/bench/stalled-readers.ts).
const lastEncoded = new WeakMap<GenerationView, { dialect: Dialect; index: number; bytes: Uint8Array }>();

function encodeOne(generation: GenerationView, dialect: Dialect, index: number): Uint8Array {
  const cached = lastEncoded.get(generation);
  if (cached && cached.index === index && cached.dialect === dialect) return cached.bytes;
  const bytes = encodeEvents([dialect.message(generation.log.at(index) as GenerationEvent)]);
  lastEncoded.set(generation, { dialect, index, bytes });
  return bytes;
}
// Bounds one chunk when a reconnecting viewer replays a long answer.
const MAX_EVENTS_PER_CHUNK = 256;

/** Streams `generation` to one viewer; cancelling the stream releases the viewer. */
export function subscribe(generation: GenerationView, options: SubscribeOptions): ReadableStream<Uint8Array> {
  let cursor = options.after;
  let closed = false;
  let flushing = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let stopListening = () => {};
  let controller: ReadableStreamDefaultController<Uint8Array>;
  const release = generation.attach();
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    stopListening();
    options.signal?.removeEventListener("abort", finish);
    release();
    options.onClose?.();
  };
  options.signal?.addEventListener("abort", finish);

  /** Enqueues the events past the cursor while the queue has room; closes the stream after the last. */
  const flush = () => {
    // An enqueue may call pull() (and so flush) again from inside; the outer call carries on.
    if (closed || flushing) return;
    flushing = true;
    try {
      const log = generation.log;
      while (cursor < log.length && (controller.desiredSize ?? 0) > 0) {
        const end = Math.min(log.length, cursor + MAX_EVENTS_PER_CHUNK);
        if (end === cursor + 1) {
          controller.enqueue(encodeOne(generation, options.dialect, cursor++));
          continue;
        }
        const batch: SseMessage[] = [];
        for (; cursor < end; cursor++) batch.push(options.dialect.message(log.at(cursor) as GenerationEvent));
        controller.enqueue(encodeEvents(batch));
      }
      if (generation.closed && cursor >= log.length) {
        finish();
        controller.close();
      }
    } catch {
      // The reader is gone (enqueue on a cancelled stream throws) and cancel() may not have run yet.
      finish();
    } finally {
      flushing = false;
    }
  };

  return new ReadableStream<Uint8Array>(
    {
      start(streamController) {
        controller = streamController;
        controller.enqueue(encodeOpening(options.retryMs, "connected"));
        heartbeat = setInterval(() => {
          // Only when the client keeps up: pings must not pile up behind a stalled reader.
          if (!closed && (controller.desiredSize ?? 0) > 0) controller.enqueue(PING);
        }, options.heartbeatMs);
        stopListening = generation.onEvent(flush);
      },
      pull: flush,
      cancel: finish,
    },
    { highWaterMark: 1 },
  );
}
