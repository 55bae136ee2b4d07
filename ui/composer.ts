/**
 * The message box: Enter sends, Shift+Enter starts a new line, Esc stops the answer being
 * written. While an answer streams, Stop takes the place of Send. Images and documents come with
 * the next question when attached, pasted or dropped (attachments.ts). What is typed is kept per
 * conversation until it is sent (drafts.ts).
 */
import type { ChatSettings } from "./api.ts";
import { Attachments } from "./attachments.ts";
import { byId } from "./dom.ts";
import { Drafts } from "./drafts.ts";

export interface ComposerHandlers {
  /** `images`: `data:` URLs of the attached images and documents, in order (a document's URL names it). */
  send(text: string, images: string[]): void;
  stop(): void;
  notify(text: string): void;
  /** ArrowUp in an empty box: put the last question back to edit it. */
  editLast(): void;
}

export class Composer {
  readonly #form = byId<HTMLFormElement>("composer");
  readonly #input = byId<HTMLTextAreaElement>("prompt");
  readonly #send = byId<HTMLButtonElement>("send");
  readonly #stop = byId<HTMLButtonElement>("stop");
  readonly #attachments: Attachments;
  readonly #drafts = new Drafts();
  #busy = false;

  constructor(handlers: ComposerHandlers) {
    this.#attachments = new Attachments(() => this.#update(), handlers.notify);
    this.#input.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (!this.#attachments.claims(files)) return;
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
      } else if (event.key === "ArrowUp" && this.#input.value === "" && !event.isComposing) {
        event.preventDefault();
        handlers.editLast();
      }
    });
    this.#input.addEventListener("input", () => {
      this.#drafts.keep(this.#input.value);
      this.#update();
    });
    this.#stop.addEventListener("click", () => handlers.stop());
    this.#update();
  }

  /** The images waiting to be sent; files dropped anywhere on the page come here. */
  get attachments(): Attachments {
    return this.#attachments;
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

  /** The server's image and document caps (GET /api/chat-settings; undefined: it could not be read). */
  configure(settings?: ChatSettings): void {
    this.#attachments.configure(settings);
  }

  focus(): void {
    this.#input.focus();
  }

  /** Conversation `id` is open now (null: a new chat): the box shows its draft. */
  openDraft(id: string | null): void {
    this.#input.value = this.#drafts.open(id);
    this.#update();
  }

  /** The new chat was just saved as conversation `id`: its draft is that conversation's now. */
  adoptDraft(id: string): void {
    this.#drafts.adopt(id);
  }

  /** Puts `text` (and its attachments) back, e.g. when it could not be sent; kept as the draft. */
  restore(text: string, images: readonly string[] = []): void {
    if (!this.#input.value.trim()) this.#input.value = text;
    this.#drafts.keep(this.#input.value);
    this.#attachments.restore(images);
    this.#update();
  }

  #submit(handlers: ComposerHandlers): void {
    const text = this.#input.value;
    if (this.#busy || !this.#hasQuestion()) return;
    this.#input.value = "";
    this.#drafts.keep("");
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
