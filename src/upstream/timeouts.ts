/**
 * The upstream timeouts, in one place: the model must send its first token within one limit and
 * each later token within another. Both the generation path and the `/v1` pass-through use this
 * watchdog; the `openai` client's own timeout is off (client.ts), so no limit is set twice.
 */
import { UpstreamTimeoutError } from "./errors.ts";

export interface TokenTimeouts {
  /** From the call to the first content token (for a non-streamed answer: to the whole answer). */
  firstTokenMs: number;
  /** Between two content tokens. */
  interTokenMs: number;
}

/**
 * One timer per call that re-arms lazily when it fires, instead of a timer reset per token: a
 * token only records the time. The first token re-arms it once, from the first-token limit to
 * the inter-token one.
 */
export class TokenWatchdog {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastActivity = performance.now();
  #seenToken = false;
  #stopped = false;

  /** Starts the first-token clock; `onTimeout` runs at most once, unless {@link stop} ran first. */
  constructor(
    private readonly limits: TokenTimeouts,
    private readonly onTimeout: (error: UpstreamTimeoutError) => void,
  ) {
    this.#arm(limits.firstTokenMs);
  }

  /** Records a content token. */
  token(): void {
    this.#lastActivity = performance.now();
    if (this.#seenToken) return;
    this.#seenToken = true;
    this.#arm(this.limits.interTokenMs);
  }

  /** No model call runs (tools do): nothing fires until {@link restart}. */
  rest(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A new model call starts: its first token is timed from now, by the first-token limit. */
  restart(): void {
    if (this.#stopped) return;
    this.#seenToken = false;
    this.#lastActivity = performance.now();
    this.#arm(this.limits.firstTokenMs);
  }

  /** The call ended; no timeout can fire any more. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #arm(milliseconds: number): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      const limit = this.#seenToken ? this.limits.interTokenMs : this.limits.firstTokenMs;
      const idle = performance.now() - this.#lastActivity;
      if (idle < limit) return this.#arm(limit - idle);
      this.stop();
      this.onTimeout(new UpstreamTimeoutError(this.#seenToken ? "next token" : "first token", limit));
    }, milliseconds);
  }
}
