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

// A timeout is told within an eighth of its limit after it passes, and within a second at most.
const CHECKS_PER_LIMIT = 8;
const MAX_TICK_MS = 1_000;
const MIN_TICK_MS = 5;

/**
 * Every running call's watchdog, checked by one interval timer: a call holds no timer of its own
 * (a timer is an object of the runtime's, and its entry in the timer queue, per open stream).
 * The interval runs while any call does, as often as the shortest limit among them asks.
 */
class WatchdogSweep {
  readonly #watched = new Set<TokenWatchdog>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #tickMs = MAX_TICK_MS;

  add(watchdog: TokenWatchdog, limits: TokenTimeouts): void {
    this.#watched.add(watchdog);
    const shortest = Math.min(limits.firstTokenMs, limits.interTokenMs);
    const tickMs = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, Math.floor(shortest / CHECKS_PER_LIMIT)));
    if (this.#timer !== undefined && tickMs >= this.#tickMs) return;
    clearInterval(this.#timer);
    this.#tickMs = tickMs;
    this.#timer = setInterval(sweep, tickMs, this);
  }

  delete(watchdog: TokenWatchdog): void {
    if (!this.#watched.delete(watchdog) || this.#watched.size > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#tickMs = MAX_TICK_MS;
  }

  check(): void {
    const now = performance.now();
    // A watchdog that fires leaves the set while it is walked, which a Set allows.
    for (const watchdog of this.#watched) watchdog.check(now);
  }
}

/** The sweep's timer: a function of the module, given the sweep, so that it makes no closure. */
function sweep(watchdogs: WatchdogSweep): void {
  watchdogs.check();
}

const watchdogs = new WatchdogSweep();

/**
 * A call's token clock, checked by the shared sweep: a token only records the time. The first
 * token moves it from the first-token limit to the inter-token one.
 */
export class TokenWatchdog {
  #lastActivity = performance.now();
  #seenToken = false;
  #stopped = false;

  /** Starts the first-token clock; `call.timedOut` runs at most once, unless {@link stop} ran first. */
  constructor(
    private readonly limits: TokenTimeouts,
    private readonly call: TimedCall,
  ) {
    watchdogs.add(this, limits);
  }

  /** Records a content token. */
  token(): void {
    this.#lastActivity = performance.now();
    this.#seenToken = true;
  }

  /** No model call runs (tools do): nothing fires until {@link restart}. */
  rest(): void {
    watchdogs.delete(this);
  }

  /** A new model call starts: its first token is timed from now, by the first-token limit. */
  restart(): void {
    if (this.#stopped) return;
    this.#seenToken = false;
    this.#lastActivity = performance.now();
    watchdogs.add(this, this.limits);
  }

  /** The call ended; no timeout can fire any more. */
  stop(): void {
    this.#stopped = true;
    watchdogs.delete(this);
  }

  /** The sweep's check at `now`: a timeout once the limit has passed since the last token (or the start). */
  check(now: number): void {
    if (this.#stopped) return;
    const limit = this.#seenToken ? this.limits.interTokenMs : this.limits.firstTokenMs;
    if (now - this.#lastActivity < limit) return;
    this.stop();
    this.call.timedOut(new UpstreamTimeoutError(this.#seenToken ? "next token" : "first token", limit));
  }
}
