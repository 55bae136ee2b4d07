/**
 * A streamed answer (`stream: true`): the role chunk at once, then the script's tokens at
 * their due times, one timer per stream, every token that is due written in one go (so a
 * high `tps` is kept even where timers fire at most every few ms), then the closing chunks.
 */
import { ChunkEncoder, completionId, DONE_CHUNK, MALFORMED_CHUNK, usageOf } from "./chunks.ts";
import { DROP_FLUSH_MS } from "./faults.ts";
import { createPacing, type Pacing } from "./pacing.ts";
import type { Script } from "./script.ts";
import type { RequestTracker } from "./tracker.ts";

const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };
// Bounds the bytes of one write (and so of one read at the client) when many tokens are due at once.
const MAX_TOKENS_PER_WRITE = 256;

/** Plays a script into a ReadableStream controller. */
class PacedWriter {
  readonly #chunks: ChunkEncoder;
  readonly #pacing: Pacing;
  /** Reused for every tick: the tokens due now. */
  readonly #batch: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** performance.now() of the last write, so a `drop` lets it reach the client first. */
  #lastWriteAt = 0;

  constructor(
    private readonly script: Script,
    private readonly tracker: RequestTracker,
    private readonly includeUsage: boolean,
    private readonly controller: ReadableStreamDefaultController<Uint8Array>,
  ) {
    this.#chunks = new ChunkEncoder(completionId(), Math.floor(Date.now() / 1000), script.model);
    this.#pacing = createPacing(script, performance.now());
    controller.enqueue(this.#chunks.role());
    this.#lastWriteAt = performance.now();
    tracker.whenGone(() => clearTimeout(this.#timer));
    if (!tracker.ended) this.#schedule(Math.max(0, this.#nextEventAt(0) - this.#lastWriteAt));
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(this.#guardedTick, delayMs);
  }

  // Enqueueing into a stream whose reader is gone throws a TypeError: a disconnect too, if
  // neither cancel() nor request.signal reported it (both have been missed by some runtime).
  readonly #guardedTick = () => {
    try {
      this.#tick();
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      this.tracker.clientGone();
    }
  };

  /** Writes the tokens now due (up to a bounded batch), then ends the stream or sets the one timer for the next event. */
  #tick(): void {
    const { script, tracker } = this;
    const now = performance.now();
    let sent = tracker.tokensSent;
    // At most MAX_TOKENS_PER_WRITE per write: a late timer catches up over several writes.
    while (
      sent < script.tokenCount &&
      sent !== this.#pacing.breakAfter &&
      this.#pacing.dueAt(sent) <= now &&
      this.#batch.length < MAX_TOKENS_PER_WRITE
    ) {
      this.#batch.push(script.nextToken());
      sent++;
    }
    const capped = this.#batch.length === MAX_TOKENS_PER_WRITE;
    if (this.#batch.length > 0) {
      this.controller.enqueue(this.#chunks.contents(this.#batch));
      this.#lastWriteAt = now;
    }
    this.#batch.length = 0;
    tracker.tokensSent = sent;
    // Unless the batch was full, only the end (a fault or the closing chunks) can be due now.
    const next = this.#nextEventAt(sent);
    if (capped) this.#schedule(0);
    else if (next <= now) this.#end();
    else this.#schedule(next - now);
  }

  /** When the next token, fault or closing chunk is due, after `sent` tokens. */
  #nextEventAt(sent: number): number {
    if (sent !== this.#pacing.breakAfter) return this.#pacing.dueAt(sent);
    if (this.script.fault?.kind !== "drop") return this.#pacing.breakAt;
    return Math.max(this.#pacing.breakAt, this.#lastWriteAt + DROP_FLUSH_MS);
  }

  #end(): void {
    const { script, tracker, controller } = this;
    if (script.fault?.kind === "drop") {
      // Erroring the body makes Bun and Deno reset the connection without the chunked
      // terminator, so the client sees a cut, not a clean end. A string keeps the log to one line.
      controller.error(`Sluice simulator: fault drop:${script.fault.after} cut the connection on purpose`);
      tracker.finish("failed");
      return;
    }
    if (script.fault?.kind === "malformed") {
      controller.enqueue(MALFORMED_CHUNK);
      tracker.finish("failed");
    } else {
      // Tool calls follow the text, all at once: their arguments come in many small chunks.
      const calls = script.toolCalls.length > 0 ? this.#chunks.toolCalls(script.toolCalls) : undefined;
      if (calls) controller.enqueue(calls.bytes);
      controller.enqueue(this.#chunks.finish(script.finishReason));
      if (this.includeUsage) {
        const completion = tracker.tokensSent + (calls?.pieces ?? 0);
        controller.enqueue(this.#chunks.usage(usageOf(script.promptTokens, completion)));
      }
      controller.enqueue(DONE_CHUNK);
      tracker.finish("completed");
    }
    controller.close();
  }
}

/** The SSE response for `script`; `tracker` learns how it ends (including the client's cancel). */
export function streamResponse(script: Script, tracker: RequestTracker, includeUsage: boolean): Response {
  const body = new ReadableStream<Uint8Array>({
    start: (controller) => void new PacedWriter(script, tracker, includeUsage, controller),
    cancel: () => tracker.clientGone(),
  });
  return new Response(body, { headers: { ...SSE_HEADERS, "x-request-id": script.requestId } });
}
