/**
 * The message box: Enter sends, Shift+Enter starts a new line, Esc stops the answer being
 * written. While an answer streams, Stop takes the place of Send.
 */
import { byId } from "./dom.ts";

export interface ComposerHandlers {
  send(text: string): void;
  stop(): void;
}

export class Composer {
  readonly #form = byId<HTMLFormElement>("composer");
  readonly #input = byId<HTMLTextAreaElement>("prompt");
  readonly #send = byId<HTMLButtonElement>("send");
  readonly #stop = byId<HTMLButtonElement>("stop");
  #busy = false;

  constructor(handlers: ComposerHandlers) {
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit(handlers);
    });
    this.#input.addEventListener("keydown", (event) => {
      // isComposing: Enter that confirms an IME candidate (Japanese, Chinese…) must not send.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.#submit(handlers);
      }
    });
    this.#input.addEventListener("input", () => this.#update());
    this.#stop.addEventListener("click", () => handlers.stop());
    this.#update();
  }

  /** While busy, Stop replaces Send; the box stays editable for the next question. */
  setBusy(busy: boolean): void {
    const stopHadFocus = document.activeElement === this.#stop;
    this.#busy = busy;
    this.#send.hidden = busy;
    this.#stop.hidden = !busy;
    this.#form.dataset.busy = String(busy);
    if (stopHadFocus) this.#input.focus();
    this.#update();
  }

  focus(): void {
    this.#input.focus();
  }

  /** Puts `text` back, e.g. when it could not be sent. */
  restore(text: string): void {
    if (!this.#input.value.trim()) this.#input.value = text;
    this.#update();
  }

  #submit(handlers: ComposerHandlers): void {
    const text = this.#input.value;
    if (this.#busy || !text.trim()) return;
    this.#input.value = "";
    this.#update();
    handlers.send(text);
  }

  #update(): void {
    this.#send.disabled = this.#busy || !this.#input.value.trim();
  }
}
