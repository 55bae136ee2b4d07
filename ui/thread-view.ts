/**
 * The message column: the conversation's messages in order, the welcome text when there are none,
 * and scrolling that follows new text unless the reader has scrolled up to read.
 */
import type { Message } from "./api.ts";
import { byId, isNearBottom } from "./dom.ts";
import { type MessageActions, type ShownImage, storedMessage } from "./message-view.ts";

export interface ThreadActions {
  retry(): void;
  regenerate(): void;
  edit(index: number): void;
  /** The images to show with a question. */
  imagesOf(message: Message): ShownImage[];
}

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

  /**
   * Shows `messages`: a failed last answer gets Retry, a good one Regenerate, and each question
   * Edit (given its index).
   */
  show(messages: readonly Message[], actions: ThreadActions): void {
    const last = messages.length - 1;
    const of = (message: Message, i: number): MessageActions => ({
      retry: i === last ? actions.retry : undefined,
      regenerate: i === last && message.role === "assistant" ? actions.regenerate : undefined,
      edit: message.role === "user" ? () => actions.edit(i) : undefined,
    });
    this.#thread.replaceChildren(...messages.map((m, i) => storedMessage(m, of(m, i), actions.imagesOf(m))));
    this.#welcome.hidden = messages.length > 0;
    this.scrollToEnd();
  }

  /** Adds an element at the end (a new question, a live answer) and scrolls to it. */
  append(element: HTMLElement): void {
    this.#welcome.hidden = true;
    this.#thread.append(element);
    this.scrollToEnd();
  }

  /** Removes the last element (a question that was not sent). */
  removeLast(): void {
    this.#thread.lastElementChild?.remove();
    this.#welcome.hidden = this.#thread.childElementCount > 0;
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
