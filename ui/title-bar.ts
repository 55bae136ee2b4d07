/**
 * The open conversation's title, with Rename (edited in place) and Delete (confirmed in a
 * modal dialog, which keeps focus inside it until answered). On a phone both are in the
 * title bar's menu (title-menu.ts); focus then returns to that menu's button.
 */
import { confirmDelete } from "./confirm-delete.ts";
import { byId, focusShown } from "./dom.ts";
import { displayTitle } from "./sidebar.ts";

export interface TitleBarHandlers {
  rename(title: string): Promise<void>;
  delete(): Promise<void>;
}

export class TitleBar {
  readonly #title = byId<HTMLHeadingElement>("title");
  readonly #actions = byId("title-actions");
  readonly #renameButton = byId<HTMLButtonElement>("rename");
  readonly #deleteButton = byId<HTMLButtonElement>("delete");
  readonly #form = byId<HTMLFormElement>("rename-form");
  readonly #input = byId<HTMLInputElement>("rename-input");
  readonly #more = byId("more");
  #current: string | null = null;

  constructor(handlers: TitleBarHandlers) {
    this.#renameButton.addEventListener("click", () => this.#startRename());
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      const title = this.#input.value.trim();
      this.#endRename();
      if (title && title !== this.#title.textContent) void handlers.rename(title);
    });
    this.#input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.#endRename();
      }
    });
    byId("rename-cancel").addEventListener("click", () => this.#endRename());
    this.#deleteButton.addEventListener("click", async () => {
      if (await confirmDelete(this.#title.textContent ?? "")) void handlers.delete();
      else focusShown(this.#deleteButton, this.#more);
    });
  }

  /** The title shown; null for a new chat or one not titled yet. */
  get title(): string | null {
    return this.#current;
  }

  /** Shows `title`; `saved` false is a new chat, which has nothing to rename or delete yet. */
  show(title: string | null, saved: boolean): void {
    this.#current = saved ? title : null;
    if (!this.#form.hidden) this.#endRename(false);
    this.#title.textContent = saved ? displayTitle(title) : "New chat";
    this.#actions.hidden = !saved;
    document.title = saved ? `${this.#title.textContent} · Sluice` : "Sluice";
  }

  #startRename(): void {
    this.#input.value = this.#title.textContent ?? "";
    this.#form.hidden = false;
    this.#title.hidden = true;
    this.#actions.hidden = true;
    this.#input.focus();
    this.#input.select();
  }

  #endRename(returnFocus = true): void {
    this.#form.hidden = true;
    this.#title.hidden = false;
    this.#actions.hidden = false;
    if (returnFocus) focusShown(this.#renameButton, this.#more);
  }
}
