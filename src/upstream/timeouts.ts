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

/** Who hears of a timeout: the call the watchdog times. */
export interface TimedCall {
  timedOut(error: UpstreamTimeoutError): void;
}

/** A watchdog's timer: a function of the module, given the watchdog, so that arming it makes no closure. */
function check(watchdog: TokenWatchdog): void {
  watchdog.check();
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

  /** Starts the first-token clock; `call.timedOut` runs at most once, unless {@link stop} ran first. */
  constructor(
    private readonly limits: TokenTimeouts,
    private readonly call: TimedCall,
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

  /** The timer fired: a timeout if the limit has passed since the last token, else it re-arms for the rest. */
  check(): void {
    if (this.#stopped) return;
    const limit = this.#seenToken ? this.limits.interTokenMs : this.limits.firstTokenMs;
    const idle = performance.now() - this.#lastActivity;
    if (idle < limit) {
      this.#arm(limit - idle);
      return;
    }
    this.stop();
    this.call.timedOut(new UpstreamTimeoutError(this.#seenToken ? "next token" : "first token", limit));
  }

  #arm(milliseconds: number): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(check, milliseconds, this);
  }
}
