/**
 * When a generation is cancelled for want of viewers. Stop cancels at once (Generation.cancel);
 * this is the other rule: when the last viewer leaves and nobody returns within the grace, the
 * upstream call is aborted, and one nobody ever came to watch is aborted after the claim timeout.
 * A background generation (an answer that belongs to a conversation) has no such rule: it runs
 * to its end and is stored, whoever watches; only Stop or a limit ends it early.
 */

import { type Held, HeldOnce } from "../held.ts";

// A generation nobody ever subscribes to (the client vanished between POST and GET) is cancelled
// after this long, instead of running to its end unwatched. Never shorter than the grace.
export const CLAIM_TIMEOUT_MS = 30_000;

export interface CancelPolicySettings {
  /** How long the generation waits for a viewer to return before cancelling; 0 = at once. */
  cancelGraceMs: number;
  /** How long a generation nobody ever watched keeps running (default {@link CLAIM_TIMEOUT_MS}). */
  claimTimeoutMs?: number;
  /** Runs to its end with or without viewers (a conversation's answer). */
  background?: boolean;
}

/** What the rule cancels: the generation. */
export interface Abandonable {
  cancel(reason: "disconnect"): void;
}

/** The grace's timer: a function of the module, given the generation, so that arming it makes no closure. */
function abandon(generation: Abandonable): void {
  generation.cancel("disconnect");
}

/** Counts a generation's viewers and cancels it when the rule says nobody is coming back. */
export class ViewerGrace {
  #viewers = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;

  constructor(
    private readonly settings: CancelPolicySettings,
    private readonly generation: Abandonable,
  ) {
    this.#arm(Math.max(settings.cancelGraceMs, settings.claimTimeoutMs ?? CLAIM_TIMEOUT_MS));
  }

  /** Registers a viewer, counted until it is released. */
  attach(): Held {
    this.#viewers++;
    this.#clear();
    return new Viewing(this);
  }

  /** A viewer left ({@link Viewing.release}): the last one starts the grace. */
  left(): void {
    this.#viewers--;
    if (this.#viewers === 0 && !this.#ended) this.#arm(this.settings.cancelGraceMs);
  }

  /** The generation ended: nothing is left to cancel. */
  end(): void {
    this.#ended = true;
    this.#clear();
  }

  #arm(milliseconds: number): void {
    this.#clear();
    if (this.settings.background) return;
    if (milliseconds === 0) abandon(this.generation);
    else this.#timer = setTimeout(abandon, milliseconds, this.generation);
  }

  #clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** One viewer of a generation, counted until it is released. */
class Viewing extends HeldOnce {
  constructor(private readonly grace: ViewerGrace) {
    super();
  }

  protected giveBack(): void {
    this.grace.left();
  }
}
