/**
 * The model picker: the models the server allows (`GET /v1/models`, the default first), shown
 * only when there is a choice. The choice is stored with the conversation (`PATCH … model`), so
 * every device asks the same model, and read back when it opens; this browser's localStorage
 * keeps only the last one chosen (`sluice.model.last`), which a new chat starts with.
 */
import { api } from "./api.ts";
import { byId, h } from "./dom.ts";
import { readStored as read, writeStored as write } from "./local-store.ts";

const LAST_KEY = "sluice.model.last";

export class ModelPicker {
  readonly #select = byId<HTMLSelectElement>("model-picker");
  readonly #field = byId("model-field");
  #models: string[] = [];
  #conversationId: string | null = null;
  /** The open conversation's model as stored (null: the server's default; undefined: not read yet). */
  #stored: string | null | undefined;
  /**
   * A model was chosen here for the open conversation: the conversation read from the server
   * after that (its request may have left before the choice was saved) does not undo it.
   */
  #chosenHere = false;
  /** Told of every change, so the badge can show the model that will answer. */
  onChange: (model: string | undefined) => void = () => {};

  constructor() {
    this.#select.addEventListener("change", () => {
      const model = this.#select.value;
      write(LAST_KEY, model);
      if (this.#conversationId) {
        this.#chosenHere = true;
        this.#store(this.#conversationId, model);
      }
      this.onChange(model);
    });
  }

  /** Loads the allowed models; with fewer than two the picker stays hidden and the server's default applies. */
  async load(): Promise<void> {
    try {
      this.#models = (await api.listModels()).data.map((model) => model.id);
    } catch {
      this.#models = []; // The upstream may be down: sending without a model uses the default.
    }
    this.#select.replaceChildren(...this.#models.map((id) => h("option", { value: id }, id)));
    this.#field.hidden = this.#models.length < 2;
    this.#apply();
  }

  /** Conversation `id` opens (null: a new chat, which starts with the last model chosen). */
  show(id: string | null): void {
    this.#conversationId = id;
    this.#stored = undefined;
    this.#chosenHere = false;
    this.#apply();
  }

  /** The open conversation's stored model (null: the server's default), unless one was chosen here since it opened. */
  stored(model: string | null): void {
    if (this.#chosenHere) return;
    this.#stored = model;
    this.#apply();
  }

  /** The new chat on screen was just saved as conversation `id`: the model chosen for it is stored with it. */
  adopt(id: string): void {
    this.#conversationId = id;
    if (this.#models.length >= 2 && this.#select.value) this.#store(id, this.#select.value);
  }

  /** The model to send (undefined: no choice to make, the server's default applies). */
  chosen(): string | undefined {
    return this.#models.length < 2 ? undefined : this.#select.value || undefined;
  }

  #apply(): void {
    // A conversation uses its stored model; a new chat, the last choice made here.
    const wanted = this.#conversationId ? this.#stored : read(LAST_KEY);
    // One the operator no longer allows (or none) is the server's default: the first.
    const model = wanted && this.#models.includes(wanted) ? wanted : this.#models[0];
    if (model) this.#select.value = model;
    this.onChange(this.chosen());
  }

  #store(id: string, model: string): void {
    this.#stored = model;
    // The choice is also sent with each question, so a failure here loses nothing of the next answer.
    api.setModel(id, model).catch(() => {});
  }
}
