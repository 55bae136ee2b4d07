/**
 * The conversation list: most recent first, older pages on demand, the open one marked (on a
 * narrow screen it sits in a drawer: drawer.ts).
 */
import { api, type ConversationSummary } from "./api.ts";
import { byId, h } from "./dom.ts";

export const conversationHref = (id: string) => `#/c/${encodeURIComponent(id)}`;

export const displayTitle = (title: string | null) => title ?? "Untitled";

export class ConversationList {
  readonly #list = byId<HTMLUListElement>("conversation-list");
  readonly #empty = byId("list-empty");
  readonly #more = byId<HTMLButtonElement>("list-more");
  #cursor: string | null = null;
  #activeId: string | null = null;

  constructor() {
    this.#more.addEventListener("click", () => void this.#loadPage(this.#cursor ?? undefined));
  }

  /** Reloads from the first page (after a send, a rename, a delete, or news from another tab); returns its titles. */
  async refresh(): Promise<Map<string, string | null>> {
    const page = await this.#loadPage(undefined);
    return new Map(page.map((conversation) => [conversation.id, conversation.title]));
  }

  /** Marks `id` as the open conversation (null: a new, unsaved chat). */
  setActive(id: string | null): void {
    this.#activeId = id;
    for (const link of this.#list.querySelectorAll<HTMLAnchorElement>("a[data-id]")) {
      if (link.dataset.id === id) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  async #loadPage(before: string | undefined): Promise<ConversationSummary[]> {
    let conversations: ConversationSummary[] = [];
    try {
      const page = await api.listConversations(before);
      conversations = page.conversations;
      if (!before) this.#list.replaceChildren();
      this.#list.append(...conversations.map((conversation) => this.#item(conversation)));
      this.#cursor = page.next_cursor;
    } catch {
      // The list is a convenience: the open conversation keeps working; the next refresh retries.
    }
    this.#more.hidden = this.#cursor === null;
    this.#empty.hidden = this.#list.childElementCount > 0;
    return conversations;
  }

  #item(conversation: ConversationSummary): HTMLLIElement {
    const link = h("a", { href: conversationHref(conversation.id), "data-id": conversation.id, class: "conversation" });
    link.textContent = displayTitle(conversation.title);
    link.title = displayTitle(conversation.title);
    if (conversation.id === this.#activeId) link.setAttribute("aria-current", "page");
    return h("li", {}, link);
  }
}
