/**
 * One viewer of a generation as a response body: a `retry:` hint and a comment at once (so
 * headers leave before the first token), the recorded events from the viewer's cursor, then live
 * ones, with heartbeats.
 *
 * Pushed while the client keeps up, held back when it falls behind: new events are written as
 * soon as the generation records them, unless the client has not taken the last write yet; they
 * then wait in the generation's log until it has. So a slow reader costs no memory beyond the
 * shared log, a live token costs no promise, and the tokens of one upstream read leave in one write.
 */
import type { EndEvent, StepEvent } from "../contract.ts";
import type { EventLogView, EventsListener, GenerationView } from "../generation/view.ts";
import type { Held } from "../held.ts";
import { type BodySource, type BodyWriter, pushedBody } from "../runtime.ts";
import type { Dialect } from "./dialects.ts";
import { formatComment, formatOpening } from "./encode.ts";
import { type Beating, heartbeatsEvery } from "./heartbeats.ts";

export interface SubscribeOptions {
  /** Events already seen: 0 replays from the start. */
  after: number;
  dialect: Dialect;
  heartbeatMs: number;
  retryMs: number;
  /** The request's signal: a second path to notice a client that left. */
  signal?: AbortSignal;
  /** The stream's slot, released once the viewer is gone or the stream ended. */
  slot?: Held;
}

const PING = formatComment("ping");
// Bounds one write when a reconnecting viewer replays a long answer.
const MAX_EVENTS_PER_WRITE = 256;

// Live viewers of one generation frame the same event one after another (the generation calls
// them in a row): the last frame made is kept, so it is made once for all of them.
const lastFrame = {
  log: undefined as EventLogView | undefined,
  dialect: undefined as Dialect | undefined,
  index: -1,
  text: "",
};

function frameAt(log: EventLogView, dialect: Dialect, index: number): string {
  if (lastFrame.index === index && lastFrame.log === log && lastFrame.dialect === dialect) return lastFrame.text;
  const token = log.tokenText(index);
  const text = token !== undefined ? dialect.token(index, token) : frameOther(log, dialect, index);
  lastFrame.log = log;
  lastFrame.dialect = dialect;
  lastFrame.index = index;
  lastFrame.text = text;
  return text;
}

/** The frame of an event that is not a token: a tool step's, or the final one. */
function frameOther(log: EventLogView, dialect: Dialect, index: number): string {
  const event = log.at(index);
  if (event === undefined || event.type === "done" || event.type === "error") return dialect.end(log.end as EndEvent);
  return dialect.step(event as StepEvent);
}

/**
 * One viewer: where it is in the log, and whether its client took the last write. It is its own
 * heartbeat's target, its generation's listener (`eventsRecorded`) and its request signal's
 * (`handleEvent`), so it holds few closures.
 */
class Viewer implements BodySource, Beating, EventsListener, EventListenerObject {
  #cursor: number;
  #writer: BodyWriter | undefined;
  #behind = false;
  #writing = false;
  #closed = false;
  readonly #viewing: Held;

  constructor(
    private readonly generation: GenerationView,
    private readonly options: SubscribeOptions,
  ) {
    this.#cursor = options.after;
    this.#viewing = generation.attach();
    options.signal?.addEventListener("abort", this);
  }

  start(writer: BodyWriter): void {
    this.#writer = writer;
    const head = this.options.dialect.head ?? "";
    this.#behind = !writer.write(formatOpening(this.options.retryMs, "connected") + head);
    if (this.#closed) return;
    heartbeatsEvery(this.options.heartbeatMs).add(this);
    this.generation.onEvent(this);
    this.#push();
  }

  resume(): void {
    this.#behind = false;
    this.#push();
  }

  cancel(): void {
    this.#finish();
  }

  /** The generation recorded events. */
  eventsRecorded(): void {
    this.#push();
  }

  /** The request's signal aborted: the client left. */
  handleEvent(): void {
    this.#finish();
  }

  /** A comment, only when the client keeps up: pings must not pile up behind a stalled reader. */
  heartbeat(): void {
    if (this.#closed || this.#behind || !this.#writer) return;
    try {
      this.#behind = !this.#writer.write(PING);
    } catch {
      this.#finish();
    }
  }

  /** Writes the events past the cursor while the client keeps up; closes the body after the last. */
  #push(): void {
    // A write may call resume() (and so this) again from inside; the outer call carries on.
    const writer = this.#writer;
    if (this.#closed || this.#writing || !writer) return;
    this.#writing = true;
    try {
      const { log } = this.generation;
      const { dialect } = this.options;
      while (!this.#behind && this.#cursor < log.length) {
        const end = Math.min(log.length, this.#cursor + MAX_EVENTS_PER_WRITE);
        let text = frameAt(log, dialect, this.#cursor++);
        while (this.#cursor < end) text += frameAt(log, dialect, this.#cursor++);
        this.#behind = !writer.write(text);
      }
      if (this.generation.closed && this.#cursor >= log.length) {
        this.#finish();
        writer.close();
      }
    } catch {
      // The client is gone (a write to a cancelled body throws) and cancel() may not have run yet.
      this.#finish();
    } finally {
      this.#writing = false;
    }
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    heartbeatsEvery(this.options.heartbeatMs).delete(this);
    this.generation.offEvent(this);
    this.options.signal?.removeEventListener("abort", this);
    this.#viewing.release();
    this.options.slot?.release();
  }
}

/** Streams `generation` to one viewer; cancelling the body releases the viewer. */
export function subscribe(generation: GenerationView, options: SubscribeOptions): ReadableStream<Uint8Array> {
  return pushedBody(new Viewer(generation, options));
}
