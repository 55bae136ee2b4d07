/**
 * The top of a conversation read in windows: older messages load by themselves as the reader
 * scrolls up to them (a while before the top is reached), and the button that stands there loads
 * them by keyboard or click too.
 */
import { byId, h } from "./dom.ts";

// How close to the top of the loaded part (px) a load starts: the reader rarely meets the button.
const AHEAD = 800;

export class OlderMessages {
  readonly #button = h("button", { type: "button", class: "button quiet wide older-messages", hidden: true });
  readonly #load: () => Promise<void>;
  readonly #scroller = byId("messages");
  #loading = false;

  /** `load` reads the next older part and shows it. */
  constructor(load: () => Promise<void>) {
    this.#load = load;
    byId("thread").before(this.#button);
    this.#button.textContent = "Show earlier messages";
    this.#button.addEventListener("click", () => void this.#run());
    new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && void this.#run(), {
      root: this.#scroller,
      rootMargin: `${AHEAD}px 0px 0px 0px`,
    }).observe(this.#button);
  }

  /** Whether there are older messages to load (the read's `next_cursor`). */
  set available(available: boolean) {
    this.#button.hidden = !available;
  }

  async #run(): Promise<void> {
    if (this.#loading || this.#button.hidden) return;
    this.#loading = true;
    this.#button.textContent = "Loading earlier messages…";
    try {
      await this.#load();
    } finally {
      this.#loading = false;
      this.#button.textContent = "Show earlier messages";
    }
    // Still near the top after a short part: the observer says nothing new, so go on here.
    if (this.#isNear()) requestAnimationFrame(() => void this.#run());
  }

  #isNear(): boolean {
    if (this.#button.hidden) return false;
    return this.#button.getBoundingClientRect().bottom > this.#scroller.getBoundingClientRect().top - AHEAD;
  }
}
