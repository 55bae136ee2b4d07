/**
 * Custom instructions: the open conversation's own system prompt, edited in a modal dialog
 * reached from the title bar. The dialog keeps focus inside it, Esc closes it without saving,
 * and focus returns to the button that opened it. The server's default (SYSTEM_PROMPT) shows as
 * the placeholder; an empty box means that default.
 */
import type { ChatSettings } from "./api.ts";
import { byId, focusShown } from "./dom.ts";

export interface InstructionsHandlers {
  /**
   * Saves the open conversation's instructions (null: back to the default); resolves with what
   * was saved, undefined when another conversation opened meanwhile; rejects with the reason when
   * it could not.
   */
  save(text: string | null): Promise<string | null | undefined>;
  notify(text: string): void;
}

export class InstructionsDialog {
  readonly #button = byId<HTMLButtonElement>("instructions");
  readonly #dialog = byId<HTMLDialogElement>("instructions-dialog");
  readonly #form = byId<HTMLFormElement>("instructions-form");
  readonly #text = byId<HTMLTextAreaElement>("instructions-text");
  readonly #count = byId("instructions-count");
  readonly #handlers: InstructionsHandlers;
  /** The open conversation's own instructions; null: the server's default. */
  #current: string | null = null;

  constructor(handlers: InstructionsHandlers) {
    this.#handlers = handlers;
    this.#button.addEventListener("click", () => this.open());
    this.#text.addEventListener("input", () => this.#updateCount());
    byId("instructions-cancel").addEventListener("click", () => this.#dialog.close());
    byId("instructions-reset").addEventListener("click", () => {
      this.#text.value = "";
      this.#updateCount();
      this.#text.focus();
    });
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#save();
    });
    // Esc (the dialog's cancel) and Cancel both end here: focus goes back where it came from.
    this.#dialog.addEventListener("close", () => focusShown(this.#button, byId("more")));
  }

  /** The server's default and cap (GET /api/chat-settings). */
  configure(settings: ChatSettings): void {
    this.#text.placeholder = settings.system_prompt_default
      ? `Default: ${settings.system_prompt_default}`
      : "No default instructions. Describe how the assistant should answer in this conversation.";
    this.#text.maxLength = settings.system_prompt_max_length;
    this.#updateCount();
  }

  /** The open conversation's own instructions are `prompt` (null: the default). */
  load(prompt: string | null): void {
    this.#current = prompt;
    this.mark();
  }

  open(): void {
    this.#text.value = this.#current ?? "";
    this.#updateCount();
    this.#dialog.showModal();
    this.#text.focus();
  }

  /** Shows whether the open conversation has instructions of its own. */
  mark(): void {
    const own = this.#current !== null;
    this.#button.dataset.active = String(own);
    this.#button.setAttribute("aria-label", own ? "Custom instructions (set)" : "Custom instructions");
  }

  async #save(): Promise<void> {
    const text = this.#text.value.trim();
    try {
      const saved = await this.#handlers.save(text === "" ? null : text);
      if (saved !== undefined) this.#current = saved;
      this.#dialog.close();
      this.mark();
      this.#handlers.notify(text === "" ? "This conversation uses the default instructions." : "Instructions saved.");
    } catch (error) {
      this.#handlers.notify(`Not saved: ${(error as Error).message}`);
    }
  }

  #updateCount(): void {
    const max = this.#text.maxLength > 0 ? this.#text.maxLength : 8_000;
    this.#count.textContent = `${this.#text.value.length} / ${max}`;
  }
}
