/**
 * One request's life from the simulator's side: it starts once and ends once, as completed,
 * failed (a fault) or cancelled (the client went away), whichever is seen first.
 *
 * A client's disconnect is watched two ways, because each runtime has had bugs in one of
 * them: the response body's `cancel()` (wired by the stream) and `request.signal`. Deno's
 * Deno.serve also aborts `request.signal` after a *successful* response ("legacy abort",
 * docs.deno.com/go/unstable-no-legacy-abort), so the first ending wins and later ones are ignored.
 */
import type { SimulatorCounters } from "./stats.ts";

export class RequestTracker {
  /** Content tokens written so far, for the cancellation record. */
  tokensSent = 0;
  #ended = false;
  #onGone: () => void = () => {};
  readonly #signal: AbortSignal;
  readonly #abortListener = () => this.clientGone();

  constructor(
    private readonly counters: SimulatorCounters,
    readonly requestId: string,
    signal: AbortSignal,
  ) {
    this.#signal = signal;
    counters.start();
    signal.addEventListener("abort", this.#abortListener, { once: true });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** What to stop (timers) when the client goes away; runs at once if it already has. */
  whenGone(stop: () => void): void {
    this.#onGone = stop;
    if (this.#signal.aborted) this.clientGone();
  }

  /** The client went away before the end: stop work now and record the cancellation. */
  clientGone(): void {
    if (!this.#end()) return;
    this.#onGone();
    const seenAtMs = performance.timeOrigin + performance.now();
    this.counters.finish("cancelled", {
      request_id: this.requestId,
      seen_at_ms: seenAtMs,
      tokens_sent: this.tokensSent,
    });
  }

  /** The answer ended on its own: fully sent, or cut by a fault. */
  finish(outcome: "completed" | "failed"): void {
    if (this.#end()) this.counters.finish(outcome);
  }

  /** Marks the end; false when something else ended the request first. */
  #end(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.#signal.removeEventListener("abort", this.#abortListener);
    return true;
  }
}
