/**
 * What a viewer, Stop and a resume need of a generation, wherever it runs: in this process
 * (generation.ts) or in another instance, followed through Redis (cluster/remote-generation.ts).
 */
import type { CancelReason, EndEvent, GenerationEvent, GenerationOutcome } from "../contract.ts";
import type { Held } from "../held.ts";

/** The recorded events so far, read by index (0-based; an event's id is its index + 1). */
export interface EventLogView {
  readonly length: number;
  /** Tokens recorded: the events before the final one. */
  readonly tokenCount: number;
  /** The final event, once recorded. */
  readonly end: EndEvent | undefined;
  /** The token at `index` as its text alone (no event object), for the streams. */
  tokenText(index: number): string | undefined;
  at(index: number): GenerationEvent | undefined;
}

/** Told synchronously when events were recorded (one call may stand for several). */
export interface EventsListener {
  eventsRecorded(): void;
}

export interface GenerationView {
  readonly id: string;
  /** The user it belongs to: only they may watch or stop it. */
  readonly owner: string;
  /**
   * What the route that started it recorded of the request (JSON), kept with it wherever it is
   * watched from: the Responses API echoes it in every response object (http/responses.ts).
   */
  readonly details?: string | undefined;
  readonly log: EventLogView;
  /** True once `done` or `error` is recorded. */
  readonly ended: boolean;
  /**
   * True once no more events will come through this view: it ended, or (followed from another
   * instance) it lost the feed, and its viewers must reconnect to read on.
   */
  readonly closed: boolean;
  readonly settled: Promise<GenerationOutcome>;
  /**
   * Tells `listener` synchronously when events were recorded (one call may stand for several),
   * until {@link offEvent}: a listener is an object, so a viewer is its own, with no closure per stream.
   */
  onEvent(listener: EventsListener): void;
  /** Stops telling `listener` (nothing when it was not listening). */
  offEvent(listener: EventsListener): void;
  /** Registers a viewer for the cancel policy, counted until it is released. */
  attach(): Held;
  /** Aborts the model call now (Stop); the end reaches every viewer as an event. */
  cancel(reason: CancelReason): void;
  /**
   * Resolves once the log holds `count` events, it closes, or `timeoutMs` passes. Only a view that
   * follows another instance can be behind what a client has already read (from the owner).
   */
  reach?(count: number, timeoutMs: number): Promise<void>;
}

/** Finds generations by id for their owner: to anyone else a generation does not exist. */
export interface GenerationDirectory {
  find(id: string, owner: string): Promise<GenerationView | undefined>;
}

/** The text of the tokens recorded so far, joined. */
export function textOf(log: Pick<EventLogView, "tokenCount" | "tokenText">): string {
  let text = "";
  for (let index = 0; index < log.tokenCount; index++) text += log.tokenText(index) ?? "";
  return text;
}
