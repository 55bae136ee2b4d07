/**
 * The message column: the conversation's messages in order, the welcome text when there are none,
 * and scrolling that follows new text unless the reader has scrolled up to read.
 */
import type { Message } from "./api.ts";
import { byId, isNearBottom } from "./dom.ts";
import { storedMessage } from "./message-view.ts";

export class ThreadView {
  readonly #scroller = byId("messages");
  readonly #thread = byId("thread");
  readonly #welcome = byId("welcome");
  #stick = true;

  constructor() {
    this.#scroller.addEventListener("scroll", () => {
      this.#stick = isNearBottom(this.#scroller);
    });
  }

  /** Shows `messages`; a failed last answer gets a Retry button calling `retry`. */
  show(messages: readonly Message[], retry: () => void): void {
    const last = messages.length - 1;
    this.#thread.replaceChildren(...messages.map((m, i) => storedMessage(m, i === last ? retry : undefined)));
    this.#welcome.hidden = messages.length > 0;
    this.scrollToEnd();
  }

  /** Adds an element at the end (a new question, a live answer) and scrolls to it. */
  append(element: HTMLElement): void {
    this.#welcome.hidden = true;
    this.#thread.append(element);
    this.scrollToEnd();
  }

  scrollToEnd(): void {
    this.#stick = true;
    this.follow();
  }

  /** Keeps the end in view as text grows, unless the reader scrolled away from it. */
  follow(): void {
    if (this.#stick) this.#scroller.scrollTop = this.#scroller.scrollHeight;
  }
}
