/**
 * The message box: Enter sends, Shift+Enter starts a new line, Esc stops the answer being
 * written. While an answer streams, Stop takes the place of Send. Images and documents come with
 * the next question when attached, pasted or dropped (attachments.ts).
 */
import type { ChatSettings } from "./api.ts";
import { Attachments } from "./attachments.ts";
import { byId } from "./dom.ts";

export interface ComposerHandlers {
  /** `images`: `data:` URLs of the attached images and documents, in order (a document's URL names it). */
  send(text: string, images: string[]): void;
  stop(): void;
  notify(text: string): void;
}

export class Composer {
  readonly #form = byId<HTMLFormElement>("composer");
  readonly #input = byId<HTMLTextAreaElement>("prompt");
  readonly #send = byId<HTMLButtonElement>("send");
  readonly #stop = byId<HTMLButtonElement>("stop");
  readonly #attachments: Attachments;
  #busy = false;

  constructor(handlers: ComposerHandlers) {
    this.#attachments = new Attachments(() => this.#update(), handlers.notify);
    this.#input.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (!this.#attachments.claims(files)) return;
      event.preventDefault();
      void this.#attachments.add(files);
    });
    this.#form.addEventListener("dragover", (event) => {
      if (!event.dataTransfer?.types.includes("Files")) return;
      event.preventDefault();
      this.#form.dataset.dropping = "true";
    });
    this.#form.addEventListener("dragleave", () => delete this.#form.dataset.dropping);
    this.#form.addEventListener("drop", (event) => {
      delete this.#form.dataset.dropping;
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      event.preventDefault();
      void this.#attachments.add(files);
    });
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

  /** The server's image and document caps (GET /api/chat-settings). */
  configure(settings: ChatSettings): void {
    this.#attachments.configure(settings);
  }

  focus(): void {
    this.#input.focus();
  }

  /** Puts `text` (and its attachments) back, e.g. when it could not be sent. */
  restore(text: string, images: readonly string[] = []): void {
    if (!this.#input.value.trim()) this.#input.value = text;
    this.#attachments.restore(images);
    this.#update();
  }

  #submit(handlers: ComposerHandlers): void {
    const text = this.#input.value;
    if (this.#busy || !this.#hasQuestion()) return;
    this.#input.value = "";
    handlers.send(text, this.#attachments.take());
    this.#update();
  }

  #hasQuestion(): boolean {
    return this.#input.value.trim() !== "" || this.#attachments.count > 0;
  }

  #update(): void {
    this.#send.disabled = this.#busy || !this.#hasQuestion();
  }
}
