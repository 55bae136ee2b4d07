/**
 * A generation: one model answer as a server-side resource. It runs independently of any
 * connection, records its events for replay, and owns the one AbortController of its upstream call.
 */

import type { UpstreamDelta } from "../upstream/client.ts";
import { toUpstreamError, UpstreamTimeoutError } from "../upstream/errors.ts";
import { EventLog } from "./event-log.ts";
import type { DoneEvent, ErrorEvent, FinishReason, GenerationEvent, GenerationOutcome, Usage } from "./events.ts";
import { type GenerationObserver, silentObserver } from "./observer.ts";

export type CancelReason = "stop" | "disconnect" | "timeout" | "shutdown";

export interface GenerationOptions {
  id: string;
  model: string;
  /** Starts the upstream call; it must stop when `signal` aborts. `id` identifies the call upstream. */
  upstream: (signal: AbortSignal, id: string) => AsyncIterable<UpstreamDelta>;
  firstTokenTimeoutMs: number;
  interTokenTimeoutMs: number;
  /** How long the generation waits for a subscriber to return before cancelling; 0 = at once. */
  cancelGraceMs: number;
  /** How long a generation nobody ever subscribed to keeps running. */
  claimTimeoutMs: number;
  /** The most events kept for replay; the answer ends with finish_reason "length" there. */
  maxEvents: number;
  observer?: GenerationObserver;
}

export class Generation {
  readonly id: string;
  readonly model: string;
  readonly createdAt = Date.now();
  /** The recorded events, for replay; read it with `length` and `at()`. */
  readonly log = new EventLog();
  readonly settled: Promise<GenerationOutcome>;
  #upstreamUsage: Usage | undefined;
  #finishReason: FinishReason = "stop";
  #cancelReason: CancelReason | undefined;
  #timeout: UpstreamTimeoutError | undefined;
  #ended = false;
  #subscribers = 0;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #next: { promise: Promise<void>; resolve: () => void } | undefined;
  readonly #listeners = new Set<() => void>();
  readonly #controller = new AbortController();
  readonly #options: Omit<GenerationOptions, "upstream">;
  readonly #observer: GenerationObserver;
  readonly #startedAt = performance.now();
  #ttftMs: number | null = null;
  #lastActivity = performance.now();

  constructor(options: GenerationOptions) {
    this.id = options.id;
    this.model = options.model;
    // The upstream call (and the request it holds: the whole conversation) is not kept past the
    // run, while a finished generation stays retained for replay.
    const { upstream, ...settings } = options;
    this.#options = settings;
    this.#observer = options.observer ?? silentObserver;
    this.#observer.started();
    this.#armGrace(options.claimTimeoutMs);
    this.settled = this.#run(upstream);
  }

  /** True once `done` or `error` is recorded. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * The answer's text so far, joined from the log on demand: appending to one string per token
   * would keep a rope node per token alive beside the log for the whole answer.
   */
  get text(): string {
    return this.log.text();
  }

  /** Every recorded event as objects: a copy, for tests and tools (streams read {@link log}). */
  get events(): GenerationEvent[] {
    return this.log.toArray();
  }

  get subscriberCount(): number {
    return this.#subscribers;
  }

  /** Resolves when an event past `cursor` exists or the generation has ended. */
  waitForEvent(cursor: number): Promise<void> {
    if (cursor < this.log.length || this.#ended) return Promise.resolve();
    if (!this.#next) {
      let resolve = () => {};
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#next = { promise, resolve };
    }
    return this.#next.promise;
  }

  /**
   * Calls `listener` synchronously after each recorded event until the returned function is
   * called. Cheaper per token than {@link waitForEvent} (no promise per event); `listener` must not throw.
   */
  onEvent(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Registers a viewer; the returned function releases it (idempotent). */
  attach(): () => void {
    this.#subscribers++;
    this.#clearGrace();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#subscribers--;
      if (this.#subscribers === 0 && !this.#ended) this.#armGrace(this.#options.cancelGraceMs);
    };
  }

  /** Aborts the upstream call now; viewers get `done` with finish_reason "cancelled". */
  cancel(reason: CancelReason): void {
    if (this.#ended || this.#cancelReason) return;
    this.#cancelReason = reason;
    this.#observer.upstreamCancelled(reason);
    this.#controller.abort(reason);
  }

  #armGrace(milliseconds: number): void {
    this.#clearGrace();
    if (milliseconds === 0) {
      this.cancel("disconnect");
      return;
    }
    this.#graceTimer = setTimeout(() => this.cancel("disconnect"), milliseconds);
  }

  #clearGrace(): void {
    if (this.#graceTimer !== undefined) clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
  }

  /** Tells waiting viewers that the log grew. */
  #notify(): void {
    const next = this.#next;
    this.#next = undefined;
    next?.resolve();
    for (const listener of this.#listeners) listener();
  }

  async #run(upstream: GenerationOptions["upstream"]): Promise<GenerationOutcome> {
    this.#armWatchdog(this.#options.firstTokenTimeoutMs);
    let end: DoneEvent | ErrorEvent;
    try {
      for await (const delta of upstream(this.#controller.signal, this.id)) this.#receive(delta);
      end = this.#timeout ? this.#errorEvent(this.#timeout) : this.#doneEvent();
    } catch (cause) {
      end = this.#errorEvent(this.#timeout ?? toUpstreamError(cause));
    } finally {
      clearTimeout(this.#watchdog);
      this.#clearGrace();
    }
    this.#ended = true;
    this.log.close(end);
    this.#notify();
    this.#observer.ended(end, this.#cancelReason);
    return { text: this.text, end };
  }

  #receive(delta: UpstreamDelta): void {
    if (this.#controller.signal.aborted) return;
    if (delta.type === "token") {
      this.#lastActivity = performance.now();
      if (this.#ttftMs === null) {
        this.#ttftMs = this.#lastActivity - this.#startedAt;
        this.#observer.firstToken(this.#ttftMs);
        this.#armWatchdog(this.#options.interTokenTimeoutMs);
      }
      this.log.appendToken(delta.text);
      this.#notify();
      this.#observer.token();
      // One slot stays free for the final event.
      if (this.log.length >= this.#options.maxEvents - 1) {
        this.#finishReason = "length";
        this.#controller.abort("length");
      }
    } else if (delta.type === "finish") this.#finishReason = delta.reason;
    else this.#upstreamUsage = delta.usage;
  }

  /**
   * One timer per generation that re-arms lazily when it fires, instead of a timer reset per
   * token; the first token re-arms it once, from the first-token limit to the inter-token one.
   */
  #armWatchdog(milliseconds: number): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      const first = this.#ttftMs === null;
      const limit = first ? this.#options.firstTokenTimeoutMs : this.#options.interTokenTimeoutMs;
      const idle = performance.now() - this.#lastActivity;
      if (idle < limit) return this.#armWatchdog(limit - idle);
      this.#timeout = new UpstreamTimeoutError(first ? "first token" : "next token", limit);
      this.cancel("timeout");
    }, milliseconds);
  }

  #usage(): Usage {
    if (this.#upstreamUsage && !this.#cancelReason) return this.#upstreamUsage;
    const prompt = this.#upstreamUsage?.prompt_tokens ?? 0;
    return {
      prompt_tokens: prompt,
      completion_tokens: this.log.tokenCount,
      total_tokens: prompt + this.log.tokenCount,
    };
  }

  #doneEvent(): DoneEvent {
    return {
      id: this.log.length + 1,
      type: "done",
      finish_reason: this.#cancelReason ? "cancelled" : this.#finishReason,
      usage: this.#usage(),
      timings: {
        ttft_ms: this.#ttftMs === null ? null : Math.round(this.#ttftMs),
        total_ms: Math.round(performance.now() - this.#startedAt),
      },
    };
  }

  #errorEvent(error: { code: string; message: string; retryable: boolean }): ErrorEvent {
    return {
      id: this.log.length + 1,
      type: "error",
      code: error.code,
      message: error.message,
      retryable: error.retryable,
    };
  }
}
