/**
 * The conversation list: most recent first, older pages on demand, the open one marked (on a
 * narrow screen it sits in a drawer: drawer.ts). While a search is on, it lists the matches
 * instead, each with the text around the match.
 */
import { api, type ConversationSummary, type SearchHit } from "./api.ts";
import { byId, h } from "./dom.ts";

export const conversationHref = (id: string) => `#/c/${encodeURIComponent(id)}`;

export const displayTitle = (title: string | null) => title ?? "Untitled";

export class ConversationList {
  readonly #list = byId<HTMLUListElement>("conversation-list");
  readonly #empty = byId("list-empty");
  readonly #more = byId<HTMLButtonElement>("list-more");
  #cursor: string | null = null;
  #activeId: string | null = null;
  /** The search text; empty: the whole list. */
  #query = "";
  /** Counts list loads, so a slow, older answer never replaces a newer one. */
  #loads = 0;

  constructor() {
    this.#more.addEventListener("click", () => void this.#loadPage(this.#cursor ?? undefined));
  }

  /** Reloads from the first page (after a send, a rename, a delete, or news from another tab); returns its titles. */
  async refresh(): Promise<Map<string, string | null>> {
    const page = this.#query ? await this.#loadMatches() : await this.#loadPage(undefined);
    return new Map(page.map((conversation) => [conversation.id, conversation.title]));
  }

  /** Lists only the conversations matching `text` (blank: all of them again). */
  async search(text: string): Promise<void> {
    this.#query = text.trim();
    await this.refresh();
  }

  /** Marks `id` as the open conversation (null: a new, unsaved chat). */
  setActive(id: string | null): void {
    this.#activeId = id;
    for (const link of this.#list.querySelectorAll<HTMLAnchorElement>("a[data-id]")) {
      if (link.dataset.id === id) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  async #loadMatches(): Promise<SearchHit[]> {
    const load = ++this.#loads;
    let matches: SearchHit[] = [];
    try {
      matches = (await api.searchConversations(this.#query)).conversations;
      if (load !== this.#loads) return matches;
      this.#list.replaceChildren(...matches.map((match) => this.#item(match, match.snippet)));
    } catch {
      // As with the list: the next keystroke or refresh tries again.
    }
    this.#more.hidden = true;
    this.#empty.textContent = "No conversations match.";
    this.#empty.hidden = this.#list.childElementCount > 0;
    return matches;
  }

  async #loadPage(before: string | undefined): Promise<ConversationSummary[]> {
    const load = ++this.#loads;
    let conversations: ConversationSummary[] = [];
    try {
      const page = await api.listConversations(before);
      conversations = page.conversations;
      if (load !== this.#loads) return conversations;
      if (!before) this.#list.replaceChildren();
      this.#list.append(...conversations.map((conversation) => this.#item(conversation)));
      this.#cursor = page.next_cursor;
    } catch {
      // The list is a convenience: the open conversation keeps working; the next refresh retries.
    }
    this.#more.hidden = this.#cursor === null;
    this.#empty.textContent = "No conversations yet.";
    this.#empty.hidden = this.#list.childElementCount > 0;
    return conversations;
  }

  #item(conversation: ConversationSummary, snippet?: string): HTMLLIElement {
    const link = h("a", { href: conversationHref(conversation.id), "data-id": conversation.id, class: "conversation" });
    link.append(h("span", { class: "conversation-title" }, displayTitle(conversation.title)));
    // Text, never HTML: a snippet is the user's or the model's words.
    if (snippet) link.append(h("span", { class: "conversation-snippet" }, snippet));
    link.title = displayTitle(conversation.title);
    if (conversation.id === this.#activeId) link.setAttribute("aria-current", "page");
    return h("li", {}, link);
  }
}
