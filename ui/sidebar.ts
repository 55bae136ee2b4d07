/**
 * The conversation list: most recent first, older pages on demand, the open one marked (on a
 * narrow screen it sits in a drawer: drawer.ts). While a search is on, it lists the matches
 * instead, each with the text around the match. Each item has a Delete button; the keyboard moves
 * through the list as one Tab stop (list-keys.ts).
 */
import { api, type ConversationSummary, type SearchHit } from "./api.ts";
import { byId, h } from "./dom.ts";
import { rovingList } from "./list-keys.ts";

/** A conversation's address; with `messageId`, shown on the branch through that message (a search hit). */
export const conversationHref = (id: string, messageId?: string | null) =>
  `#/c/${encodeURIComponent(id)}${messageId ? `/m/${encodeURIComponent(messageId)}` : ""}`;

export const displayTitle = (title: string | null) => title ?? "Untitled";

const TRASH_ICON = `<svg aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path d="M4 6h12M8 6V4h4v2M6 6l1 10h6l1-10" /></svg>`;

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
  /** Sets which item takes Tab focus, after the items change. */
  readonly #settleFocus: () => void;
  /** Asked to delete conversation `id` (titled `title`) from its item. */
  onDelete: (id: string, title: string) => void = () => {};

  constructor() {
    this.#more.addEventListener("click", () => void this.#loadPage(this.#cursor ?? undefined));
    this.#settleFocus = rovingList(this.#list, {
      remove: (link) => this.onDelete(link.dataset.id ?? "", link.title),
    });
    this.#list.addEventListener("click", (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>("button.conversation-delete");
      const link = button?.parentElement?.querySelector<HTMLAnchorElement>("a[data-id]");
      if (link) this.onDelete(link.dataset.id ?? "", link.title);
    });
  }

  /** Puts focus on the list (its current item), as Tab into it would. */
  focus(): void {
    this.#list.querySelector<HTMLElement>("a[tabindex='0']")?.focus();
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
      link.parentElement?.classList.toggle("current", link.dataset.id === id);
    }
    this.#settleFocus();
  }

  async #loadMatches(): Promise<SearchHit[]> {
    const load = ++this.#loads;
    let matches: SearchHit[] = [];
    try {
      matches = (await api.searchConversations(this.#query)).conversations;
      if (load !== this.#loads) return matches;
      this.#list.replaceChildren(...matches.map((match) => this.#item(match, match)));
    } catch {
      // As with the list: the next keystroke or refresh tries again.
    }
    this.#more.hidden = true;
    this.#empty.textContent = "No conversations match.";
    this.#empty.hidden = this.#list.childElementCount > 0;
    this.#settleFocus();
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
    this.#settleFocus();
    return conversations;
  }

  /** The list item of `conversation`; a search `hit` links to the branch of its match, with the text around it. */
  #item(conversation: ConversationSummary, hit?: SearchHit): HTMLLIElement {
    const href = conversationHref(conversation.id, hit?.message_id);
    const link = h("a", { href, "data-id": conversation.id, class: "conversation" });
    link.append(h("span", { class: "conversation-title" }, displayTitle(conversation.title)));
    // Text, never HTML: a snippet is the user's or the model's words.
    if (hit?.snippet) link.append(h("span", { class: "conversation-snippet" }, hit.snippet));
    link.title = displayTitle(conversation.title);
    const current = conversation.id === this.#activeId;
    if (current) link.setAttribute("aria-current", "page");
    const remove = h("button", {
      type: "button",
      class: "icon-button conversation-delete",
      "aria-label": `Delete “${displayTitle(conversation.title)}”`,
      title: "Delete",
    });
    // The page's own constant markup: a trash can.
    remove.innerHTML = TRASH_ICON;
    return h("li", { class: current ? "current" : undefined }, link, remove);
  }
}
