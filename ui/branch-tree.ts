/**
 * What the page knows of the open conversation's tree: every message it has read or written, and
 * each message's children (from the `sibling_ids` a read gives each message). Switching to a
 * branch whose messages are all known is then instant: the page follows the newest child at each
 * step, as the server does (`newestLeafUnder`), and only asks the server when a step is unknown.
 * The answer being written is not stored yet: it is the newest child of its question here ({@link LIVE}).
 */
import type { Conversation, StoredMessage } from "./api.ts";

/** A message as the page keeps it: stored, or written here and not read back yet; cut reads keep `full_bytes`. */
export type KnownMessage = StoredMessage & { full_bytes?: number };

/** The answer being written, among its question's answers (never a message id: ids have no `*`). */
export const LIVE = "*live";

/** A branch from a message down to its leaf; `live` when it ends in the answer being written. */
export interface Branch {
  messages: KnownMessage[];
  live: boolean;
}

export class BranchTree {
  readonly #messages = new Map<string, KnownMessage>();
  readonly #children = new Map<string | null, string[]>();
  /** The question the answer being written goes under (undefined: none, or a Continue). */
  liveUnder: string | undefined;

  clear(): void {
    this.#messages.clear();
    this.#children.clear();
    this.liveUnder = undefined;
  }

  get(id: string): KnownMessage | undefined {
    return this.#messages.get(id);
  }

  /** Learns a read's messages and their siblings; a read that ends at its leaf says the leaf has no children. */
  learn(read: Pick<Conversation, "messages" | "leaf_id">): void {
    for (const message of read.messages) {
      const { sibling_ids, sibling_position, sibling_count, ...known } = message;
      this.#messages.set(message.id, known);
      this.#children.set(message.parent_id, sibling_ids.slice());
    }
    const last = read.messages.at(-1);
    if (last && last.id === read.leaf_id) this.#children.set(last.id, []);
  }

  /** Replaces what is known of one message (read whole, say). */
  update(message: KnownMessage): void {
    if (this.#messages.has(message.id)) this.#messages.set(message.id, message);
  }

  /** A message this page has just written (a question), the newest child of its parent. */
  add(message: KnownMessage): void {
    this.#messages.set(message.id, message);
    const siblings = this.#children.get(message.parent_id) ?? [];
    if (!siblings.includes(message.id)) siblings.push(message.id);
    this.#children.set(message.parent_id, siblings);
    this.#children.set(message.id, []);
  }

  /** Message `from` (written here) is stored as `to` now: the same message under its server id. */
  rename(from: string, to: string): void {
    const message = this.#messages.get(from);
    if (!message) return;
    this.#messages.delete(from);
    this.#messages.set(to, { ...message, id: to });
    const siblings = this.#children.get(message.parent_id) ?? [];
    this.#children.set(
      message.parent_id,
      siblings.includes(to) ? siblings.filter((id) => id !== from) : siblings.map((id) => (id === from ? to : id)),
    );
    this.#children.set(to, this.#children.get(from) ?? []);
    this.#children.delete(from);
    if (this.liveUnder === from) this.liveUnder = to;
  }

  /** Forgets message `id` (a failed answer a Retry replaces, a question never stored). */
  forget(id: string): void {
    const message = this.#messages.get(id);
    if (!message) return;
    this.#messages.delete(id);
    const siblings = this.#children.get(message.parent_id);
    if (siblings)
      this.#children.set(
        message.parent_id,
        siblings.filter((sibling) => sibling !== id),
      );
  }

  /** The messages under `parent` (null: the first questions), oldest first, then the answer being written. */
  childrenOf(parent: string | null): string[] {
    const children = this.#children.get(parent) ?? [];
    return parent !== null && parent === this.liveUnder ? [...children, LIVE] : children;
  }

  /** `id` and the messages beside it (under the same parent), oldest first. */
  siblingsOf(id: string): string[] {
    const message = this.#messages.get(id);
    return message ? this.childrenOf(message.parent_id) : [id];
  }

  /**
   * The branch from `id` down, the newest child at each step, as far as it is known; undefined
   * when a step is not (the server must say).
   */
  branchFrom(id: string): Branch | undefined {
    const messages: KnownMessage[] = [];
    let current: string | undefined = id;
    while (current !== undefined) {
      const message = this.#messages.get(current);
      const children = this.#children.get(current);
      if (!message || !children || messages.length > this.#messages.size) return undefined;
      messages.push(message);
      if (current === this.liveUnder) return { messages, live: true };
      current = children.at(-1);
    }
    return { messages, live: false };
  }
}
