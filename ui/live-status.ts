/**
 * A live answer's status line ("Streaming · 812 tokens · 64 tok/s"), written a few times a second
 * rather than every frame. Any change to the line has the browser paint the answer around it
 * again, which on a long answer costs more than the frame's new text, and most frames of a table
 * or a slow stream change nothing else. A change of kind (the first token, a lost connection)
 * shows at once; a count held back shows within the interval, even if no token follows.
 */

// Often enough to read as live, rarely enough that the line is not what each frame paints.
const REFRESH_MS = 250;

export class LiveStatus {
  readonly #element: HTMLElement;
  #shownKind: string | undefined;
  #shownAt = Number.NEGATIVE_INFINITY;
  /** The text held back, written when the interval ends. */
  #pending: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(element: HTMLElement) {
    this.#element = element;
  }

  /** Shows `text`, a status of `kind`: at once when the kind changed or the interval has passed, else when it ends. */
  show(kind: string, text: string): void {
    const now = performance.now();
    if (kind !== this.#shownKind || now - this.#shownAt >= REFRESH_MS) {
      this.#write(kind, text, now);
      return;
    }
    this.#pending = text;
    this.#timer ??= setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#pending !== undefined) this.#write(kind, this.#pending, performance.now());
      },
      REFRESH_MS - (now - this.#shownAt),
    );
  }

  /** Drops what is held back (the answer ended: its final line is written in its place). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }

  #write(kind: string, text: string, now: number): void {
    this.stop();
    if (this.#element.textContent !== text) this.#element.textContent = text;
    this.#shownKind = kind;
    this.#shownAt = now;
  }
}
