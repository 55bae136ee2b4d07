/**
 * The open conversation: opens it (the newest part of its branch first), sends questions, and the
 * turns that redo or extend one, each kept beside what it redoes: Edit (a new version of a
 * question), Regenerate (a new version of an answer), Retry (a failed answer asked again in its
 * place), Continue (a cut-off answer extended in place). What is shown is the branch
 * (shown-branch.ts); the answer being written lives in the answer slot (answer-slot.ts); the call
 * that starts one in asking.ts. One answer at a time per conversation, as on the server.
 */
import { titleFromMessage } from "../src/conversations/title.ts";
import { continuable } from "./answer-ending.ts";
import { AnswerSlot } from "./answer-slot.ts";
import { storedAnswer } from "./answer-sync.ts";
import { ApiError, api, type Conversation, questionContent, type TurnBody } from "./api.ts";
import { type Asked, ask } from "./asking.ts";
import type { KnownMessage } from "./branch-tree.ts";
import { type AdminParts, createConversation } from "./conversation-admin.ts";
import { humanError } from "./error-text.ts";
import { isLocal, lastSeenId, localMessage } from "./history.ts";
import type { AnswerEnd, LiveAnswer } from "./live-answer.ts";
import { type CardControls, MessageCard } from "./message-card.ts";
import { ControlSlots } from "./message-controls.ts";
import { problemOf, showProblem } from "./message-view.ts";
import { QuestionImages } from "./question-images.ts";
import { type LiveSlot, ShownBranch, WINDOW } from "./shown-branch.ts";

/** The parts of the page the conversation drives. */
export interface ChatParts extends AdminParts {
  /** Conversation `id` is now the open one (null: a new chat); `created` when the new chat was just saved as `id`. */
  opened(id: string | null, created?: boolean): void;
  /** The open conversation's own instructions and model (null: the server's defaults). */
  loaded(conversation: Pick<Conversation, "system_prompt" | "model"> | null): void;
  /** The model to ask (undefined: the server's default). */
  model(): string | undefined;
  /** Says, until the next question, why a question was not sent. */
  warn(text: string): void;
}

/** Where a turn's answer goes, and what to put back if it is refused. */
interface TurnPlace {
  /** The question the answer goes under (a local id until the server names it). */
  question: string;
  /** Continue: the answer extended. */
  continues?: string | undefined;
  /** Retry: the failed answer it replaces. */
  replaces?: string | undefined;
  /** From the message box, where it goes back if refused. */
  typed?: { text: string; images: string[] } | undefined;
  /** The branch shown before, shown again if it is refused. */
  before: string[];
}

export interface OpenOptions {
  /** A stream not to re-attach to (the one just lost). */
  skipStream?: string | undefined;
  /** Show the branch through this message, on every device, scrolled to it (a search hit). */
  at?: string | undefined;
  /** Read the branch through this message (the leaf a 409 named). */
  leaf?: string | undefined;
}

export class Chat {
  readonly #parts: ChatParts;
  readonly #branch: ShownBranch;
  readonly #answer: AnswerSlot;
  readonly #images = new QuestionImages();
  /** The question being edited, if one is. */
  #editing: string | undefined;
  /** Learning the server's copy of the answer just ended: turns wait for it. */
  #syncing: Promise<void> | undefined;
  #loads = 0;

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
      ended: (live, end) => void this.#ended(live, end),
      lost: (live) => void this.open(this.conversationId, { skipStream: live.streamId }),
      busyChanged: (busy) => {
        parts.composer.setBusy(busy);
        this.#branch.render();
      },
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
      return this.#branch.render();
    }
    try {
      if (options.at) await api.setCurrentLeaf(id, options.at);
      const read = await api.readPath(id, { leaf: options.leaf, ...WINDOW });
      if (load !== this.#loads) return;
      this.#parts.loaded(read);
      this.#parts.titleBar.show(read.title, true);
      this.#reattach(read, options.skipStream);
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
    if (!id || this.busy || this.#syncing) return;
    const read = await api.readPath(id, { limit: 1 }).catch(() => undefined);
    if (!read || id !== this.conversationId || this.busy || read.leaf_id === this.#branch.path.at(-1)) return;
    await this.open(id);
    this.#parts.notify("Showing the version chosen in another tab or on another device.");
  }

  /** Sends `text` as the next question (creating the conversation first if new); while a question is edited, as its new version. */
  async send(text: string, images: string[] = []): Promise<void> {
    const question = text.trim();
    if (this.busy || (!question && images.length === 0)) return;
    await this.#syncing;
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
    await this.#start(turn, { question: message.id, typed: { text: question, images }, before });
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
    await this.#syncing;
    const { path, tree } = this.#branch;
    const answer = tree.get(answerId);
    const question = tree.get(answer?.parent_id ?? "");
    const at = path.indexOf(answerId);
    if (this.busy || !answer || !question || at < 0) return;
    const before = path.slice();
    const model = this.#parts.model();
    if (kind === "continue")
      return this.#start({ continue: answerId, model }, { question: question.id, continues: answerId, before });
    this.#branch.path = path.slice(0, at);
    if (kind === "regenerate")
      return this.#start({ regenerate: question.id, model }, { question: question.id, before });
    // Retry: the same question after the message before it; the server drops the failed answer.
    const turn = { content: questionContent(question.content, []), parentId: question.parent_id, model };
    await this.#start(turn, { question: question.id, replaces: answerId, before });
  }

  async #start(turn: TurnBody, place: TurnPlace): Promise<void> {
    const branch = this.#branch;
    const continued = place.continues === undefined ? undefined : branch.tree.get(place.continues);
    const live = this.#answer.start(performance.now(), continued?.content);
    const slots = new ControlSlots(live.parts, "assistant");
    branch.live = { article: live.parts.article, slots, question: place.question, continues: place.continues };
    branch.tree.liveUnder = place.continues ? undefined : place.question;
    branch.render();
    branch.view.scrollToEnd();
    await branch.settled();
    const asked = await ask(this.conversationId, turn, () => this.#create());
    if (this.#answer.live !== live) return;
    if (asked.kind === "started") return this.#started(live, asked, place);
    this.#answer.release(live);
    branch.live = undefined;
    branch.tree.liveUnder = undefined;
    if (place.typed) branch.tree.forget(place.question);
    if (asked.kind === "moved") return this.#moved(asked, place);
    await this.#refused(asked, place);
  }

  #started(live: LiveAnswer, asked: Asked & { kind: "started" }, place: TurnPlace): void {
    const branch = this.#branch;
    if (asked.dropped > 0)
      this.#parts.notify(`${asked.dropped} earlier messages were left out to fit the model's window.`);
    if (place.replaces) branch.tree.forget(place.replaces);
    const question = asked.questionId ?? place.question;
    if (question !== place.question) this.#stored(place.question, question);
    if (branch.live) branch.live.model = asked.model;
    this.#answer.attach(live, asked.streamId, asked.streamUrl);
    if (this.#parts.titleBar.title === null && place.typed)
      this.#parts.titleBar.show(titleFromMessage(place.typed.text), true);
    this.#parts.tabs.tell({ type: "answering", conversationId: asked.conversationId, streamId: asked.streamId });
    void this.#parts.list.refresh();
    branch.render();
  }

  /** Local question `local` is stored as `stored` (an Edit of the same words is a Regenerate of the stored one). */
  #stored(local: string, stored: string): void {
    const { tree } = this.#branch;
    if (tree.get(stored)) tree.forget(local);
    else tree.rename(local, stored);
    this.#images.rekey(local, stored);
    this.#branch.path = this.#branch.path.map((id) => (id === local ? stored : id));
    tree.liveUnder = stored;
    if (this.#branch.live) this.#branch.live.question = stored;
  }

  /** The conversation moved on elsewhere: show it as it is now; the question stays in the composer. */
  async #moved(moved: Asked & { kind: "moved" }, place: TurnPlace): Promise<void> {
    this.#parts.notify("This conversation changed on another device; here it is as it is now. Send again to continue.");
    await this.open(moved.conversationId, { leaf: moved.leafId ?? undefined });
    if (place.typed) this.#parts.composer.restore(place.typed.text, place.typed.images);
  }

  /**
   * A turn was refused: the branch is shown as before, a question goes back in the message box, and
   * a conversation created for it alone is deleted again.
   */
  async #refused(refused: Asked & { kind: "refused" }, place: TurnPlace): Promise<void> {
    if (refused.created) {
      api.deleteConversation(refused.created).catch(() => {});
      history.replaceState(null, "", `${location.pathname}${location.search}`);
      await this.open(null);
    } else {
      this.#branch.path = place.before;
      this.#branch.render();
    }
    if (place.typed) this.#parts.composer.restore(place.typed.text, place.typed.images);
    this.#parts.warn(`Not sent. ${humanError(refused.error)} (${refused.error.code})`);
  }

  async #create(): Promise<string> {
    const created = await createConversation(this.#parts);
    this.#branch.conversationId = created.id;
    this.#parts.opened(created.id, true);
    return created.id;
  }

  /** Re-attaches to the answer `read` says is being written (not `skip`, a stream just lost). */
  #reattach(read: Conversation, skip: string | undefined): void {
    const stream = read.running_stream_id;
    const question = read.running_parent_id;
    if (!stream || stream === skip || !question) return;
    const continues = read.running_continues_id ?? undefined;
    const prefix = read.messages.find((message) => message.id === continues)?.content;
    const live = this.#answer.start(undefined, prefix);
    const slots = new ControlSlots(live.parts, "assistant");
    this.#branch.live = { article: live.parts.article, slots, question, continues };
    if (!continues) this.#branch.tree.liveUnder = question;
    this.#answer.attach(live, stream, `/api/streams/${encodeURIComponent(stream)}`);
  }

  async #ended(live: LiveAnswer, end: AnswerEnd): Promise<void> {
    const slot = this.#branch.live;
    const id = this.conversationId;
    const parent = slot?.question ?? null;
    const ended = localMessage({
      role: "assistant",
      content: end.text,
      status: end.status,
      error: end.error,
      parent_id: parent,
    });
    const retry = slot && !slot.continues && end.status === "error" ? () => void this.#retryEnded(slot) : undefined;
    showProblem(live.parts, problemOf(ended, retry));
    if (id) this.#parts.tabs.tell({ type: "answered", conversationId: id });
    void this.#parts.list.refresh();
    if (!slot || !id || !live.streamId) return;
    this.#syncing = this.#learnAnswer(id, live.streamId, live, slot);
    await this.#syncing;
    this.#syncing = undefined;
  }

  /** Retry on an answer that failed here: once its stored copy is known, it is asked again. */
  async #retryEnded(slot: LiveSlot): Promise<void> {
    await this.#syncing;
    const answer = this.#branch.path.at(-1);
    if (answer && this.#branch.tree.get(answer)?.parent_id === slot.question) await this.#again(answer, "retry");
  }

  /** Learns the server's copy of the answer `live` showed: its id, its siblings, its actions. */
  async #learnAnswer(id: string, streamId: string, live: LiveAnswer, slot: LiveSlot): Promise<void> {
    const stored = await storedAnswer(id, streamId, { questionId: slot.question, continues: slot.continues });
    const branch = this.#branch;
    if (branch.conversationId !== id || branch.live !== slot) return;
    const shown = branch.liveShown;
    branch.live = undefined;
    branch.tree.liveUnder = undefined;
    if (!stored) return void this.open(id);
    branch.tree.learn(stored.read);
    const answer = branch.tree.get(stored.answer.id) as KnownMessage;
    if (shown) {
      const card = new MessageCard(live.parts, answer);
      if (slot.continues) card.showStoredFigures();
      branch.view.keep(card);
      if (!slot.continues) branch.path = [...branch.path, answer.id];
      // Shown here: every device shows it (a switch made meanwhile may have moved the server on).
      if (stored.read.current_leaf_id !== answer.id) branch.tellServer(answer.id);
    }
    branch.render();
  }
}
