/**
 * A generation that runs on another instance, as seen from this one: its log is filled from the
 * Redis stream (the replay) and the generation's channel (live), and it answers viewers exactly
 * as a local generation does. Its viewers count in the owner's cancel policy (the owner hears
 * when the first arrives and when the last leaves), and Stop is sent to the owner.
 */
import type { CancelReason, EndEvent, ErrorEvent, GenerationEvent, GenerationOutcome } from "../contract.ts";
import { EventLog, outcomeOf } from "../generation/event-log.ts";
import type { EventsListener, GenerationView } from "../generation/view.ts";
import { type Held, HeldOnce } from "../held.ts";

/** What a remote generation sends to its owner instance (control.ts). */
export interface OwnerLink {
  viewing(generation: RemoteGeneration, watching: boolean): void;
  stop(generation: RemoteGeneration, reason: CancelReason): void;
}

export interface RemoteFailure {
  code: string;
  message: string;
  retryable: boolean;
}

export class RemoteGeneration implements GenerationView {
  readonly log = new EventLog();
  readonly settled: Promise<GenerationOutcome>;
  readonly #listeners = new Set<EventsListener>();
  #resolve!: (outcome: GenerationOutcome) => void;
  #viewers = 0;
  #lost = false;
  /** When the last event arrived (epoch ms): an owner still sending is alive, whatever its lease says. */
  lastHeardAt = Date.now();
  /** Called when the last viewer leaves: the directory may let this view go. */
  onIdle: () => void = () => {};

  constructor(
    readonly id: string,
    readonly owner: string,
    /** The instance that runs the upstream call. */
    readonly instance: string,
    private readonly link: OwnerLink,
    /** What the route that started it recorded of the request (generation/view.ts). */
    readonly details?: string | undefined,
  ) {
    this.settled = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get ended(): boolean {
    return this.log.end !== undefined;
  }

  get closed(): boolean {
    return this.ended || this.#lost;
  }

  get viewers(): number {
    return this.#viewers;
  }

  /**
   * Appends `event` if it is the next one. An id already held is a repeat (the replay and the
   * live feed overlap) and is skipped; false means a gap: an event is missing before this one.
   */
  receive(event: GenerationEvent): boolean {
    this.lastHeardAt = Date.now();
    if (this.ended || event.id <= this.log.length) return true;
    if (event.id !== this.log.length + 1) return false;
    if (event.type === "token") this.log.appendToken(event.text);
    else if (event.type === "done" || event.type === "error") this.#close(event);
    else {
      const { id: _id, ...step } = event;
      this.log.appendStep(step);
    }
    for (const listener of this.#listeners) listener.eventsRecorded();
    return true;
  }

  /**
   * Stops following: this instance lost Redis, so events may have been missed. Viewers get what
   * arrived, then their stream closes without an end, and their reconnection (Last-Event-ID)
   * resumes from the log once Redis answers again.
   */
  lose(): void {
    if (this.closed) return;
    this.#lost = true;
    for (const listener of this.#listeners) listener.eventsRecorded();
  }

  /** Ends the view for its viewers with an `error` event: the owner died. */
  fail(failure: RemoteFailure): void {
    if (this.ended) return;
    const event: ErrorEvent = { id: this.log.length + 1, type: "error", ...failure };
    this.#close(event);
    for (const listener of this.#listeners) listener.eventsRecorded();
  }

  onEvent(listener: EventsListener): void {
    this.#listeners.add(listener);
  }

  offEvent(listener: EventsListener): void {
    this.#listeners.delete(listener);
  }

  attach(): Held {
    if (this.#viewers++ === 0 && !this.ended) this.link.viewing(this, true);
    return new RemoteViewing(this);
  }

  /** A viewer left ({@link RemoteViewing.release}): after the last, the owner stops counting this instance. */
  left(): void {
    if (--this.#viewers > 0) return;
    if (!this.ended) this.link.viewing(this, false);
    this.onIdle();
  }

  reach(count: number, timeoutMs: number): Promise<void> {
    if (this.log.length >= count || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const listener = {
        eventsRecorded: () => {
          if (this.log.length >= count || this.closed) done();
        },
      };
      const done = () => {
        clearTimeout(timer);
        this.offEvent(listener);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.onEvent(listener);
    });
  }

  cancel(reason: CancelReason): void {
    if (!this.ended) this.link.stop(this, reason);
  }

  #close(end: EndEvent): void {
    this.log.close(end);
    this.#resolve(outcomeOf(this.log, end));
  }
}

/** One viewer here of a generation followed from its owner, counted until it is released. */
class RemoteViewing extends HeldOnce {
  constructor(private readonly generation: RemoteGeneration) {
    super();
  }

  protected giveBack(): void {
    this.generation.left();
  }
}
