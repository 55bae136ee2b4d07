/**
 * What the open conversation's answers cost, in tokens, under its title: read from
 * `/api/conversations/:id/usage` when it opens and once each answer is stored. "≈" marks a total
 * that holds tokens Sluice estimated because the model reported none.
 */
import { h } from "./dom.ts";

interface ConversationUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  estimated_tokens: number;
}

const number = new Intl.NumberFormat();

export class ConversationUsageLine {
  readonly #line = h("p", { id: "conversation-usage", class: "conversation-usage", hidden: true });
  #conversationId: string | null = null;
  #reads = 0;

  constructor() {
    document.getElementById("title")?.after(this.#line);
  }

  /** Conversation `id` is the open one (null: a new chat, which has cost nothing yet). */
  show(id: string | null): void {
    this.#conversationId = id;
    this.#line.hidden = true;
    if (id) void this.refresh(id);
  }

  /** Reads conversation `id`'s usage again (an answer was stored), if it is still the open one. */
  async refresh(id: string): Promise<void> {
    if (id !== this.#conversationId) return;
    const read = ++this.#reads;
    const response = await fetch(`/api/conversations/${encodeURIComponent(id)}/usage`).catch(() => undefined);
    const usage = response?.ok ? ((await response.json()) as ConversationUsage) : undefined;
    if (read !== this.#reads || !usage) return;
    this.#line.hidden = usage.total_tokens === 0;
    const approximate = usage.estimated_tokens > 0 ? "≈" : "";
    this.#line.textContent = `${approximate}${number.format(usage.total_tokens)} tokens`;
    this.#line.title =
      `${number.format(usage.prompt_tokens)} sent to the model, ${number.format(usage.completion_tokens)} in its answers` +
      (approximate ? `; ${number.format(usage.estimated_tokens)} of them estimated (the model reported none)` : "");
  }
}
