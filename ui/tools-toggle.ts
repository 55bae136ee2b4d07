/**
 * Whether the open conversation's answers may call the operator's MCP tools: a switch beside the
 * model picker, shown only when the server has tools (`GET /api/chat-settings`). A conversation
 * that never chose follows the server's default; a choice is stored with the conversation
 * (`PATCH … {tools}`), so every device and tab asks alike. A new chat's choice is stored as soon
 * as the chat is, before its first question.
 */
import type { ChatSettings, Conversation } from "./api.ts";
import { api } from "./api.ts";
import { byId, h } from "./dom.ts";

export class ToolsToggle {
  readonly #input = h("input", { type: "checkbox", id: "tools-toggle" });
  readonly #field = h("label", { class: "tools-field", for: "tools-toggle", hidden: true }, this.#input, "Tools");
  #default = false;
  #conversationId: string | null = null;
  /** The open conversation's own choice (for a new chat: the one to store with it); null: the default. */
  #chosen: boolean | null = null;

  constructor(private readonly notify: (text: string) => void) {
    byId("model-field").after(this.#field);
    this.#input.addEventListener("change", () => void this.#changed());
  }

  /** The server's word: whether there are tools, and the default. */
  configure(settings: ChatSettings): void {
    this.#field.hidden = !settings.tools?.available;
    this.#default = settings.tools?.default ?? false;
    this.#render();
  }

  /** Conversation `id` is open (null: a new chat), its choice not yet read. */
  show(id: string | null): void {
    this.#conversationId = id;
    this.#chosen = null;
    this.#render();
  }

  /** The open conversation as read: its own choice, if it made one. */
  loaded(conversation: Conversation): void {
    if (conversation.id !== this.#conversationId) return;
    this.#chosen = conversation.tools;
    this.#render();
  }

  /** The new chat on screen was just saved as `id`: its choice goes with it. */
  async adopt(id: string): Promise<void> {
    this.#conversationId = id;
    if (this.#chosen !== null) await this.#store(id, this.#chosen);
  }

  #render(): void {
    this.#input.checked = this.#chosen ?? this.#default;
  }

  async #changed(): Promise<void> {
    this.#chosen = this.#input.checked;
    if (this.#conversationId !== null) await this.#store(this.#conversationId, this.#chosen);
  }

  async #store(id: string, tools: boolean): Promise<void> {
    try {
      await api.setTools(id, tools);
    } catch (error) {
      this.notify(`Tools could not be turned ${tools ? "on" : "off"}: ${(error as Error).message}`);
    }
  }
}
