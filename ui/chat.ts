/**
 * The open conversation: opens it (the newest part of its branch first), sends questions, and the
 * turns that redo or extend one, each kept beside what it redoes: Edit (a new version of a
 * question), Regenerate (a new version of an answer), Retry (a failed answer asked again in its
 * place), Continue (a cut-off answer extended in place). What is shown is the branch
 * (shown-branch.ts); the answer being written lives in the answer slot (answer-slot.ts), and a
 * turn's way from its start to its stored answer in turns.ts. One answer at a time per
 * conversation, as on the server.
 */
import { continuable } from "./answer-ending.ts";
import { AnswerSlot } from "./answer-slot.ts";
import { ApiError, api, questionContent, type TurnBody } from "./api.ts";
import type { KnownMessage } from "./branch-tree.ts";
import type { ChatParts, OpenOptions } from "./chat-parts.ts";
import { createConversation } from "./conversation-admin.ts";
import { isLocal, lastSeenId, localMessage } from "./history.ts";
import type { CardControls } from "./message-card.ts";
import { QuestionImages } from "./question-images.ts";
import { ShownBranch, WINDOW } from "./shown-branch.ts";
import { Turns } from "./turns.ts";

export type { ChatParts, OpenOptions };

export class Chat {
  readonly #parts: ChatParts;
  readonly #branch: ShownBranch;
  readonly #answer: AnswerSlot;
  readonly #images = new QuestionImages();
  readonly #turns: Turns;
  /** The question being edited, if one is. */
  #editing: string | undefined;
  #loads = 0;
  /** The read of the conversation being opened; settles (never rejects) once it is shown. */
  #reading: Promise<void> = Promise.resolve();

  constructor(parts: ChatParts) {
    this.#parts = parts;
    this.#branch = new ShownBranch({
      actionsOf: (message, _index, last) => this.#actionsOf(message, last),
      imagesOf: (message) => this.#images.shown(message, this.conversationId),
      switched: (conversationId, leafId) => parts.tabs.tell({ type: "branch", conversationId, leafId }),
      notify: parts.notify,
    });
    this.#answer = new AnswerSlot({
      started: () => {},
      rendered: () => this.#branch.liveShown && this.#branch.view.follow(),
      ended: (live, end) => void this.#turns.ended(live, end),
      lost: (live) => void this.open(this.conversationId, { skipStream: live.streamId }),
      busyChanged: (busy) => {
        parts.composer.setBusy(busy);
        this.#branch.render();
      },
    });
    this.#turns = new Turns({
      branch: this.#branch,
      answer: this.#answer,
      images: this.#images,
      parts,
      conversationId: () => this.conversationId,
      create: () => this.#create(),
      open: (id, options) => this.open(id, options),
      retry: (answerId) => this.#again(answerId, "retry"),
    });
  }

  get busy(): boolean {
    return this.#answer.live !== undefined;
  }

  /** The open conversation's id; null for a new chat. */
  get conversationId(): string | null {
    return this.#branch.conversationId;
  }

  /** The stream of the answer being written here, if any. */
  get streamId(): string | undefined {
    return this.#answer.live?.streamId;
  }

  /** Shows conversation `id` (null: a new chat), re-attaching to its answer if one is being written. */
  async open(id: string | null, options: OpenOptions = {}): Promise<void> {
    const load = ++this.#loads;
    this.#answer.release();
    this.#editing = undefined;
    this.#branch.reset(id);
    this.#images.clear();
    this.#parts.list.setActive(id);
    this.#parts.opened(id);
    this.#parts.loaded(null);
    if (id === null) {
      this.#parts.titleBar.show(null, false);
      this.#reading = Promise.resolve();
      return this.#branch.render();
    }
    this.#reading = this.#read(id, options, load);
    return this.#reading;
  }

  /** Reads and shows conversation `id`, unless another open came since (load number `load`). */
  async #read(id: string, options: OpenOptions, load: number): Promise<void> {
    try {
      // A hit on a message deleted since: the conversation opens as it is.
      if (options.at) await api.setCurrentLeaf(id, options.at).catch(() => {});
      const read = await api.readPath(id, { leaf: options.leaf, ...WINDOW });
      if (load !== this.#loads) return;
      this.#parts.loaded(read);
      this.#parts.titleBar.show(read.title, true);
      this.#turns.reattach(read, options.skipStream);
      this.#branch.showRead(read);
      if (this.#branch.live && !this.#branch.liveShown)
        this.#parts.notify("An answer is being written on another version of this conversation.");
      if (options.at) await this.#branch.reveal(options.at);
    } catch (error) {
      if (load !== this.#loads) return;
      const gone = error instanceof ApiError && error.status === 404;
      this.#parts.notify(gone ? "That conversation no longer exists." : (error as Error).message);
      if (gone) location.hash = "";
    }
  }

  /** The server may show another branch now (another tab or device switched): show it, unless busy here. */
  async followServer(): Promise<void> {
    const id = this.conversationId;
    await this.#branch.settled();
    if (!id || this.busy || this.#turns.syncing) return;
    const read = await api.readPath(id, { limit: 1 }).catch(() => undefined);
    if (!read || id !== this.conversationId || this.busy || read.leaf_id === this.#branch.path.at(-1)) return;
    await this.open(id);
    this.#parts.notify("Showing the version chosen in another tab or on another device.");
  }

  /** Sends `text` as the next question (creating the conversation first if new); while a question is edited, as its new version. */
  async send(text: string, images: string[] = []): Promise<void> {
    const question = text.trim();
    if (this.busy || (!question && images.length === 0)) return;
    // Sent while its conversation is still being read: it goes after what the read shows, or back
    // in the box if another conversation was opened meanwhile or an answer turned out to be running.
    const id = this.conversationId;
    await this.#reading;
    if (this.conversationId !== id || this.busy) return this.#parts.composer.restore(text, images);
    await this.#turns.syncing;
    const branch = this.#branch;
    const edited = this.#editing === undefined ? -1 : branch.path.indexOf(this.#editing);
    this.#editing = undefined;
    const before = branch.path.slice();
    const prefix = edited >= 0 ? before.slice(0, edited) : before;
    const parentId = prefix.at(-1) ?? null;
    const message = localMessage({ role: "user", content: question, status: "complete", parent_id: parentId });
    this.#images.remember(message, images);
    branch.tree.add(message);
    branch.path = [...prefix, message.id];
    const content = questionContent(question, images);
    const model = this.#parts.model();
    const turn: TurnBody =
      edited >= 0 ? { content, parentId, replace: true, model } : { content, parentId: lastSeenId(prefix), model };
    await this.#turns.start(turn, { question: message.id, typed: { text: question, images }, before });
  }

  /** The open conversation's id, saving a new chat as a conversation first. */
  async saved(): Promise<string> {
    return this.conversationId ?? (await this.#create());
  }

  /** Puts question `id` (the last one shown when undefined) in the composer; sending it makes a new version of it. */
  edit(id?: string): void {
    const { path, tree } = this.#branch;
    const message = tree.get(id ?? path.findLast((shown) => tree.get(shown)?.role === "user") ?? "");
    if (this.busy || !message || message.role !== "user" || isLocal(message.id)) return;
    this.#editing = message.id;
    this.#parts.composer.restore(message.content);
    this.#parts.composer.focus();
    this.#parts.notify("Editing a question: sending it adds a new version; the earlier one stays.");
  }

  /** Stops the answer being written: the server cancels the model call and ends the stream. */
  stop(): void {
    this.#answer.stop();
  }

  #actionsOf(message: KnownMessage, last: boolean): CardControls {
    if (this.busy || isLocal(message.id)) return {};
    if (message.role === "user") return { edit: () => this.edit(message.id) };
    const failed = message.status === "error" || message.status === "interrupted";
    return {
      regenerate: last && failed ? undefined : () => void this.#again(message.id, "regenerate"),
      retry: last && failed ? () => void this.#again(message.id, "retry") : undefined,
      continueIt: last && continuable(message) ? () => void this.#again(message.id, "continue") : undefined,
    };
  }

  /** A turn on stored answer `answerId`: a new version of it, the failed one asked again, or more of it. */
  async #again(answerId: string, kind: "regenerate" | "retry" | "continue"): Promise<void> {
    await this.#turns.syncing;
    const { path, tree } = this.#branch;
    const answer = tree.get(answerId);
    const question = tree.get(answer?.parent_id ?? "");
    const at = path.indexOf(answerId);
    if (this.busy || !answer || !question || at < 0) return;
    const before = path.slice();
    const model = this.#parts.model();
    if (kind === "continue")
      return this.#turns.start({ continue: answerId, model }, { question: question.id, continues: answerId, before });
    this.#branch.path = path.slice(0, at);
    if (kind === "regenerate")
      return this.#turns.start({ regenerate: question.id, model }, { question: question.id, before });
    // Retry: the same question after the message before it; the server drops the failed answer.
    const turn = { content: questionContent(question.content, []), parentId: question.parent_id, model };
    await this.#turns.start(turn, { question: question.id, replaces: answerId, before });
  }

  async #create(): Promise<string> {
    const created = await createConversation(this.#parts);
    this.#branch.conversationId = created.id;
    await this.#parts.opened(created.id, true);
    return created.id;
  }
}
