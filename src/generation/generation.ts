/**
 * A generation: one model answer as a server-side resource. It runs independently of any
 * connection, records its events for replay, and owns the one AbortController of its upstream call.
 */
import type {
  CancelReason,
  DoneEvent,
  EndEvent,
  ErrorEvent,
  FinishReason,
  GenerationEvent,
  GenerationOutcome,
  StepRecord,
  Usage,
} from "../contract.ts";
import type { Held } from "../held.ts";
import { logError } from "../log.ts";
import type { StepSink, Upstream, UpstreamSink } from "../upstream/chat-stream.ts";
import { toUpstreamError, type UpstreamTimeoutError } from "../upstream/errors.ts";
import { type TokenTimeouts, TokenWatchdog } from "../upstream/timeouts.ts";
import { type CancelPolicySettings, ViewerGrace } from "./cancel-policy.ts";
import { cutToBytes, EventLog, type MemoryMeter, outcomeOf } from "./event-log.ts";
import { type GenerationObserver, silentObserver } from "./observer.ts";
import { UsageTally } from "./usage-tally.ts";
import type { EventsListener, GenerationView } from "./view.ts";

/** Why a generation ends with an `error` event rather than `done` when it is cancelled. */
export interface GenerationFailure {
  code: string;
  message: string;
  retryable: boolean;
}

export interface GenerationOptions extends CancelPolicySettings {
  id: string;
  /** The user it belongs to: only they may watch or stop it. */
  owner: string;
  model: string;
  /** What the route that started it recorded of the request (view.ts). */
  details?: string | undefined;
  /** Starts the upstream call; it must end quietly when `signal` aborts. `id` identifies the call upstream. */
  upstream: Upstream;
  timeouts: TokenTimeouts;
  /** The most events kept for replay; the answer ends with finish_reason "length" there. */
  maxEvents: number;
  /** The most UTF-8 bytes of text kept for replay; the answer ends with finish_reason "length" there. */
  maxBytes: number;
  /** The request's prompt, estimated (usage/estimate.ts): its usage when the model reports none. */
  estimatedPromptTokens?: number;
  observer?: GenerationObserver;
  /** Told of what the log holds in memory as it grows (the registry's sum of running answers). */
  memory?: MemoryMeter;
}

/**
 * Told once when a generation has ended, before its `settled` resolves: the registry and the
 * admission that started it, which each hold their part for as long as it runs. An object with a
 * method, not a promise reaction: a reaction costs its closure and its scopes for the whole answer.
 */
export interface GenerationEndListener {
  generationEnded(generation: Generation, outcome: GenerationOutcome): void;
}

export class Generation implements GenerationView, UpstreamSink, StepSink {
  readonly id: string;
  readonly owner: string;
  readonly model: string;
  readonly details: string | undefined;
  /** Epoch milliseconds: when it started (the admin page's list of running generations). */
  readonly startedAt = Date.now();
  /** The recorded events, for replay; read it with `length` and `at()`. */
  readonly log: EventLog;
  readonly settled: Promise<GenerationOutcome>;
  /** The usage its model calls reported: a tool answer makes several. */
  readonly #usage = new UsageTally();
  #finishReason: FinishReason = "stop";
  #cancelReason: CancelReason | undefined;
  #failure: GenerationFailure | undefined;
  #ended = false;
  /**
   * Replaced, never changed in place: a listener that stops listening while the listeners are
   * told (a viewer whose stream ended) leaves the telling undisturbed, and telling costs no iterator.
   */
  #listeners: readonly EventsListener[] = [];
  readonly #endListeners: GenerationEndListener[] = [];
  readonly #controller = new AbortController();
  /** The upstream call was aborted (a cancel, or a budget reached): mirrors its signal, read per token without a native getter. */
  #aborted = false;
  readonly #grace: ViewerGrace;
  readonly #maxEvents: number;
  readonly #maxBytes: number;
  readonly #estimatedPromptTokens: number;
  readonly #observer: GenerationObserver;
  readonly #startedAt = performance.now();
  #ttftMs: number | null = null;
  #watchdog: TokenWatchdog | undefined;
  /** Tokens recorded since viewers were last told. */
  #untold = false;

  constructor(options: GenerationOptions) {
    this.id = options.id;
    this.owner = options.owner;
    this.model = options.model;
    this.details = options.details;
    this.log = new EventLog(options.memory);
    this.#maxEvents = options.maxEvents;
    this.#maxBytes = options.maxBytes;
    this.#estimatedPromptTokens = options.estimatedPromptTokens ?? 0;
    this.#observer = options.observer ?? silentObserver;
    this.#observer.started();
    // Its settings alone: the options hold the upstream call, and with it the request.
    const { cancelGraceMs, claimTimeoutMs, background } = options;
    this.#grace = new ViewerGrace({ cancelGraceMs, claimTimeoutMs, background }, this);
    // The upstream call (and the request it holds: the whole conversation) is not kept past its
    // start: an async function keeps its parameters while it runs, so #run is given the call's
    // promise alone. A finished generation stays retained for replay.
    this.settled = this.#run(this.#call(options.upstream, options.timeouts));
  }

  /** True once `done` or `error` is recorded. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The same as {@link ended}: a local generation is never cut off from its viewers. */
  get closed(): boolean {
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

  /**
   * Tells `listener` synchronously when events were recorded (no promise per event): once per
   * network read for the tokens it brought, once for the end, until {@link offEvent}. It must not throw.
   */
  onEvent(listener: EventsListener): void {
    this.#listeners = [...this.#listeners, listener];
  }

  offEvent(listener: EventsListener): void {
    this.#listeners = this.#listeners.filter((each) => each !== listener);
  }

  /** Tells `listener` once when the generation has ended, before {@link settled} resolves; it must not throw. */
  whenEnded(listener: GenerationEndListener): void {
    this.#endListeners.push(listener);
  }

  /** Registers a viewer, counted until it is released. See cancel-policy.ts. */
  attach(): Held {
    return this.#grace.attach();
  }

  /**
   * Aborts the upstream call now; viewers get `done` with finish_reason "cancelled", or, with a
   * `failure`, an `error` event carrying it (a timeout, the server shutting down, a store failure).
   */
  cancel(reason: CancelReason, failure?: GenerationFailure): void {
    if (this.#ended || this.#cancelReason) return;
    this.#cancelReason = reason;
    this.#failure = failure;
    this.#observer.cancelled(reason);
    this.#abort(reason);
  }

  /** Starts the model call, timed by the watchdog; a call that throws at once is a rejected one. */
  #call(upstream: Upstream, timeouts: TokenTimeouts): Promise<void> {
    this.#watchdog = new TokenWatchdog(timeouts, this);
    try {
      return upstream(this.#controller.signal, this.id, this);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #run(call: Promise<void>): Promise<GenerationOutcome> {
    let end: EndEvent;
    // Counted once, at the end: nothing per token.
    let usage: Usage | undefined;
    try {
      await call;
      usage = this.#usageNow();
      end = this.#failure ? this.#errorEvent(this.#failure) : this.#doneEvent(usage);
    } catch (cause) {
      // A model that refused or never answered cost nothing; one cut off mid-answer did.
      usage = this.log.tokenCount > 0 || this.#usage.reported ? this.#usageNow() : undefined;
      const error = this.#failure ?? toUpstreamError(cause);
      logError("generation failed", { generation: this.id, code: error.code, error: (error as Error).cause ?? error });
      end = this.#errorEvent(error);
    } finally {
      this.#watchdog?.stop();
      this.#watchdog = undefined;
      this.#grace.end();
    }
    this.#ended = true;
    this.log.close(end);
    this.#tell();
    this.#listeners = [];
    // A shutdown or a store failure ends the answer with an error, but the upstream did not fail.
    const ownFailure = this.#cancelReason === "shutdown" || this.#cancelReason === "storage";
    if (end.type === "error" && !ownFailure) this.#observer.failed(end.code);
    this.#observer.ended(end, this.#cancelReason);
    const outcome = { ...outcomeOf(this.log, end), usage };
    for (const listener of this.#endListeners.splice(0)) listener.generationEnded(this, outcome);
    return outcome;
  }

  // What the upstream call reports into (UpstreamSink & StepSink): the generation itself, so a
  // delta reaches its fields in one step.

  /** A content token. */
  token(text: string): void {
    if (this.#aborted) return;
    this.#watchdog?.token();
    if (this.#ttftMs === null) {
      this.#ttftMs = performance.now() - this.#startedAt;
      this.#observer.firstToken(this.#ttftMs);
    }
    this.#append(text);
  }

  /** The model took too long for a token (its watchdog's call). */
  timedOut(error: UpstreamTimeoutError): void {
    this.cancel("timeout", error);
  }

  finish(reason: FinishReason): void {
    if (!this.#aborted) this.#finishReason = reason;
  }

  usage(usage: Usage): void {
    // The one place where each model call of the answer ends (usage-tally.ts sums them).
    if (!this.#aborted) this.#usage.callEnded(usage, this.log.tokenCount);
  }

  readEnd(): void {
    if (this.#untold) this.#tell();
  }

  step(record: StepRecord): void {
    if (this.#aborted) return;
    // The model writing a call's arguments is the model at work, as a token is.
    if (record.type !== "tool_result") this.#watchdog?.token();
    this.#appendStep(record);
  }

  toolsRunning(): void {
    this.#watchdog?.rest();
  }

  modelCallStarting(): void {
    this.#watchdog?.restart();
  }

  /** Tells every viewer that events were recorded: once per network read, however many it brought. */
  #tell(): void {
    this.#untold = false;
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) (listeners[i] as EventsListener).eventsRecorded();
  }

  /** Records a token within the budgets; at a budget the answer ends with finish_reason "length". */
  #append(text: string): void {
    const room = this.#maxBytes - this.log.bytes;
    // Most tokens are far below the room left; only a large one pays for counting its bytes.
    const fits = text.length * 3 <= room;
    const kept = fits ? text : cutToBytes(text, room);
    if (kept !== "") {
      this.log.appendToken(kept);
      this.#untold = true;
      this.#observer.token();
    }
    // One slot stays free for the final event.
    if (kept !== text || this.#full()) this.#endAtLength();
  }

  /**
   * Records a tool step's event. A tool's result is bounded already (TOOL_RESULT_MAX_BYTES), so it
   * is kept whole, and the answer ends at a budget it reaches; a result is told to viewers at once,
   * as no network read of the model's follows it.
   */
  #appendStep(record: StepRecord): void {
    this.log.appendStep(record);
    this.#untold = true;
    if (record.type === "tool_result") this.#tell();
    if (this.#full()) this.#endAtLength();
  }

  #abort(reason: string): void {
    this.#aborted = true;
    this.#controller.abort(reason);
  }

  #full(): boolean {
    return this.log.length >= this.#maxEvents - 1 || this.log.bytes >= this.#maxBytes;
  }

  #endAtLength(): void {
    this.#finishReason = "length";
    this.#abort("length");
  }

  /** What the answer cost: as its model calls reported it, with Sluice's estimate for what they did not. */
  #usageNow(): Usage {
    return this.#usage.total(this.log.tokenCount, this.#estimatedPromptTokens);
  }

  #doneEvent(usage: Usage): DoneEvent {
    return {
      id: this.log.length + 1,
      type: "done",
      finish_reason: this.#cancelReason ? "cancelled" : this.#finishReason,
      usage,
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
