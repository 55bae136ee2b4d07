/**
 * A place held until it is given back: a user's running answer or open stream, an open-stream
 * slot, a generation's viewer. Every open stream and running answer holds several for as long as
 * it lasts, so they are objects with a method rather than closures: a closure costs its scope,
 * and the scopes around it, besides the function.
 */
export interface Held {
  /** Gives the place back; idempotent. */
  release(): void;
}

/** Nothing held: where no limit applies. */
export const NOTHING_HELD: Held = { release() {} };

/** A place given back once: the first {@link release} calls {@link giveBack}, later ones do nothing. */
export abstract class HeldOnce implements Held {
  #held = true;

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.giveBack();
  }

  protected abstract giveBack(): void;
}
