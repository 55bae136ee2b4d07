/**
 * The branch of the open conversation the page shows: the part of its path loaded (the newest
 * first, older parts as the reader scrolls up to them), each message with its controls, and the
 * answer being written where its branch is shown. Switching to another version (`< n/m >`) shows
 * it at once when its branch is known (branch-tree.ts), tells the server (every device shows it
 * then), and reads from the server only what the page does not know.
 */
import { api, type Conversation } from "./api.ts";
import { announce, versionLabel } from "./branch-nav.ts";
import { BranchTree, type KnownMessage, LIVE } from "./branch-tree.ts";
import { LeafSync } from "./leaf-sync.ts";
import type { CardControls } from "./message-card.ts";
import type { ControlSlots, MessageControls } from "./message-controls.ts";
import type { ShownImage } from "./message-view.ts";
import { OlderMessages } from "./older-messages.ts";
import { ThreadView } from "./thread-view.ts";

/** How much of a path one read brings: the newest messages, by count and by bytes of text. */
export const WINDOW = { limit: 40, maxBytes: 256_000 } as const;

/** The answer being written (or just written, until the server's copy of it is known). */
export interface LiveSlot {
  article: HTMLElement;
  slots: ControlSlots;
  /** The question it answers; with `continues`, the answer it extends. */
  question: string;
  continues?: string | undefined;
  model?: string | undefined;
}

export interface ShownBranchHooks {
  /** The actions a message offers at `index` of the branch (`last`: nothing follows it). */
  actionsOf(message: KnownMessage, index: number, last: boolean): CardControls;
  imagesOf(message: KnownMessage): ShownImage[];
  /** The server shows another branch now (tell the other tabs). */
  switched(conversationId: string, leaf: string | null): void;
  notify(text: string): void;
}

export class ShownBranch {
  readonly tree = new BranchTree();
  readonly view: ThreadView;
  /** The loaded part of the branch, root side first. */
  path: string[] = [];
  /** The oldest message loaded, for reading the part above it; null at the root. */
  cursor: string | null = null;
  live: LiveSlot | undefined;
  conversationId: string | null = null;
  readonly #hooks: ShownBranchHooks;
  readonly #older: OlderMessages;
  readonly #leaf: LeafSync;
  /** Counts reads, so one for an earlier state never replaces a later one. */
  #reads = 0;

  constructor(hooks: ShownBranchHooks) {
    this.#hooks = hooks;
    this.view = new ThreadView({
      imagesOf: (message) => hooks.imagesOf(message),
      whole: async (message) => (await api.getMessage(this.conversationId ?? "", message.id)).content,
    });
    this.#older = new OlderMessages(() => this.#loadOlder());
    this.#leaf = new LeafSync({
      synced: (id, asked, leaf) => this.#synced(id, asked, leaf),
      failed: () => hooks.notify("The version shown could not be saved; other devices may show another one."),
    });
  }

  /** Forgets the open conversation (another one opens: `conversationId`). */
  reset(conversationId: string | null): void {
    this.#reads++;
    this.conversationId = conversationId;
    this.tree.clear();
    this.view.clear();
    this.path = [];
    this.cursor = null;
    this.live = undefined;
  }

  /** Shows `read` (the newest part of a branch), scrolled to its end. */
  showRead(read: Conversation): void {
    this.tree.learn(read);
    this.path = read.messages.map((message) => message.id);
    this.cursor = read.next_cursor;
    this.render();
    this.view.scrollToEnd();
    this.view.renderInView();
  }

  /** Resolves once every switch has reached the server. */
  settled(): Promise<void> {
    return this.#leaf.settled();
  }

  /** Shows the branch through `messageId` on every device (the server's copy of an answer shown here). */
  tellServer(messageId: string): void {
    if (this.conversationId) this.#leaf.show(this.conversationId, messageId);
  }

  /** Whether the live answer is shown (its branch is the one shown). */
  get liveShown(): boolean {
    const live = this.live;
    const last = this.path.at(-1);
    return live !== undefined && last !== undefined && (live.continues ?? live.question) === last;
  }

  /** Shows the branch's messages (each with its controls) and the live answer where it belongs. */
  render(): void {
    // A message the tree no longer has (a question refused, a failed answer replaced) is not shown.
    this.path = this.path.filter((id) => this.tree.get(id));
    const live = this.live;
    const shownLive = this.liveShown;
    const elements = this.path.map((id, index) => {
      const message = this.tree.get(id) as KnownMessage;
      if (shownLive && live?.continues === id) return live.article;
      const card = this.view.card(message);
      card.setControls(this.#controlsOf(message, index));
      return card.element;
    });
    if (live && shownLive) {
      if (!live.continues) elements.push(live.article);
      live.slots.set(this.#liveControls(live));
    }
    this.view.show(elements);
    this.#older.available = this.cursor !== null;
  }

  /** Loads older parts until message `id` is loaded, then scrolls to it (a search hit). */
  async reveal(id: string): Promise<void> {
    const reads = this.#reads;
    while (!this.path.includes(id) && this.cursor !== null && reads === this.#reads) await this.#loadOlder();
    if (reads === this.#reads) this.view.reveal(id);
  }

  #controlsOf(message: KnownMessage, index: number): CardControls {
    const last = index === this.path.length - 1 && !this.liveShown;
    const siblings = this.tree.siblingsOf(message.id);
    const position = siblings.indexOf(message.id) + 1;
    return {
      ...this.#hooks.actionsOf(message, index, last),
      versions: { position, count: siblings.length, go: (step) => this.#switch(index, siblings, position, step) },
      model: message.role === "assistant" ? message.model : undefined,
    };
  }

  #liveControls(live: LiveSlot): MessageControls {
    const index = live.continues ? this.path.length - 1 : this.path.length;
    const own = live.continues ?? LIVE;
    const siblings = live.continues ? this.tree.siblingsOf(live.continues) : this.tree.childrenOf(live.question);
    const position = siblings.indexOf(own) + 1;
    return {
      versions: { position, count: siblings.length, go: (step) => this.#switch(index, siblings, position, step) },
      model: live.model,
    };
  }

  /** Shows the version `step` from `position` among `siblings`, in place of the message at `index`. */
  #switch(index: number, siblings: readonly string[], position: number, step: -1 | 1): void {
    const target = siblings[position - 1 + step];
    const id = this.conversationId;
    if (target === undefined || id === null) return;
    const replaced = this.path[index];
    const role = (replaced === undefined ? undefined : this.tree.get(replaced)?.role) ?? "assistant";
    // The message above stays where it is on the screen, and so does the version shown under it.
    const kept = this.path[index - 1];
    const offset = kept === undefined ? undefined : this.view.offsetOf(kept);
    const prefix = this.path.slice(0, index);
    const branch = target === LIVE ? { messages: [], live: true } : this.tree.branchFrom(target);
    if (branch) this.#showBranch([...prefix, ...branch.messages.map((message) => message.id)]);
    else void this.#readBranch(prefix, target);
    if (target !== LIVE) this.#leaf.show(id, target);
    if (kept !== undefined && offset !== undefined) this.view.restoreOffset(kept, offset);
    announce(versionLabel(role, position + step, siblings.length));
    this.#focusStep(index, step);
  }

  #showBranch(path: string[]): void {
    this.path = path;
    this.render();
    this.view.renderInView();
  }

  /** Keeps focus on the `< >` button pressed, now under the version shown. */
  #focusStep(index: number, step: -1 | 1): void {
    const id = this.path[index];
    if (id === undefined || this.liveShown) this.live?.slots.focusStep(step);
    else this.view.cardOf(id)?.focusStep(step);
  }

  /** Reads the branch through `target` (under `prefix`, the part shown above it) and shows it. */
  async #readBranch(prefix: string[], target: string): Promise<void> {
    const id = this.conversationId;
    const reads = ++this.#reads;
    if (id === null) return;
    try {
      const read = await api.readPath(id, { leaf: target, ...WINDOW });
      if (reads !== this.#reads) return;
      this.tree.learn(read);
      const ids = read.messages.map((message) => message.id);
      const parent = ids.indexOf(prefix.at(-1) ?? "");
      if (prefix.length > 0 && parent < 0) {
        // The read does not reach the part shown above: it is the loaded part now.
        this.cursor = read.next_cursor;
        this.#showBranch(ids);
      } else {
        if (prefix.length === 0) this.cursor = read.next_cursor;
        this.#showBranch([...prefix, ...ids.slice(parent + 1)]);
      }
    } catch {
      this.#hooks.notify("That version could not be loaded. Check the connection and try again.");
    }
  }

  /** The server shows the branch through `asked`, down to `leaf`: read it if the page shows another end. */
  #synced(conversationId: string, asked: string, leaf: string | null): void {
    if (conversationId !== this.conversationId) return;
    this.#hooks.switched(conversationId, leaf);
    const at = this.path.indexOf(asked);
    if (at < 0 || leaf === null || this.path.at(-1) === leaf || this.liveShown) return;
    void this.#readBranch(this.path.slice(0, at), asked);
  }

  async #loadOlder(): Promise<void> {
    const id = this.conversationId;
    const cursor = this.cursor;
    const reads = this.#reads;
    if (id === null || cursor === null) return;
    const read = await api.readPath(id, { before: cursor, ...WINDOW }).catch(() => undefined);
    if (reads !== this.#reads || this.cursor !== cursor) return;
    if (!read) return this.#hooks.notify("Earlier messages could not be loaded. Check the connection.");
    this.tree.learn(read);
    this.cursor = read.next_cursor;
    const older = read.messages.map((message) => message.id);
    this.path = [...older, ...this.path];
    const elements = read.messages.map((message, index) => {
      const card = this.view.card(this.tree.get(message.id) as KnownMessage);
      card.setControls(this.#controlsOf(card.message, index));
      return card.element;
    });
    this.view.prepend(elements);
    this.#older.available = this.cursor !== null;
  }
}
