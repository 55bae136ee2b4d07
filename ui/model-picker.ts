/**
 * The model picker: the models the server allows (`GET /v1/models`, the default first), shown
 * only when there is a choice. The choice is kept per conversation in this browser's
 * localStorage (`sluice.model.<conversation id>`); a new chat starts with the last one chosen.
 */
import { api } from "./api.ts";
import { byId, h } from "./dom.ts";
import { readStored as read, writeStored as write } from "./local-store.ts";

const keyOf = (conversationId: string) => `sluice.model.${conversationId}`;
const LAST_KEY = "sluice.model.last";

export class ModelPicker {
  readonly #select = byId<HTMLSelectElement>("model-picker");
  readonly #field = byId("model-field");
  #models: string[] = [];
  #conversationId: string | null = null;
  /** Told of every change, so the badge can show the model that will answer. */
  onChange: (model: string | undefined) => void = () => {};

  constructor() {
    this.#select.addEventListener("change", () => {
      const model = this.#select.value;
      write(LAST_KEY, model);
      if (this.#conversationId) write(keyOf(this.#conversationId), model);
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
    this.show(this.#conversationId);
  }

  /** Shows the choice kept for conversation `id` (null: a new chat). */
  show(id: string | null): void {
    this.#conversationId = id;
    // A conversation never given a choice uses the default; a new chat, the last choice made.
    const kept = read(id ? keyOf(id) : LAST_KEY);
    // A kept model the operator no longer allows falls back to the default.
    const model = kept && this.#models.includes(kept) ? kept : this.#models[0];
    if (model) this.#select.value = model;
    this.onChange(this.chosen());
  }

  /** The new chat on screen was just saved as conversation `id`: it keeps the model chosen for it. */
  adopt(id: string): void {
    this.#conversationId = id;
    if (this.#models.length >= 2 && this.#select.value) write(keyOf(id), this.#select.value);
  }

  /** The model to send (undefined: no choice to make, the server's default applies). */
  chosen(): string | undefined {
    return this.#models.length < 2 ? undefined : this.#select.value || undefined;
  }
}
