/**
 * A turn's answer on the page, from the call that starts it to the server's stored copy of it:
 * started (shown where its branch is, its question learning its server id), refused (the branch
 * as before, a question back in the message box), or the conversation moved on elsewhere (shown as
 * it is now); re-attached to when a conversation opens while one is written; and, once ended, read
 * back with its id and its siblings, so Regenerate, Edit, Continue and `< n/m >` work on it at once.
 */
import { titleFromMessage } from "../src/conversations/title.ts";
import type { AnswerSlot } from "./answer-slot.ts";
import { storedAnswer } from "./answer-sync.ts";
import { api, type Conversation, type TurnBody } from "./api.ts";
import { type Asked, ask } from "./asking.ts";
import type { KnownMessage } from "./branch-tree.ts";
import type { ChatParts, OpenOptions } from "./chat-parts.ts";
import { humanError } from "./error-text.ts";
import { localMessage } from "./history.ts";
import type { AnswerEnd, LiveAnswer } from "./live-answer.ts";
import { MessageCard } from "./message-card.ts";
import { ControlSlots } from "./message-controls.ts";
import { problemOf, showProblem } from "./message-view.ts";
import type { QuestionImages } from "./question-images.ts";
import type { LiveSlot, ShownBranch } from "./shown-branch.ts";
import { ANSWER_STORED } from "./usage-and-sharing.ts";

/** Where a turn's answer goes, and what to put back if it is refused. */
export interface TurnPlace {
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

/** What turns act on: the open conversation's parts (chat.ts). */
export interface TurnHost {
  readonly branch: ShownBranch;
  readonly answer: AnswerSlot;
  readonly images: QuestionImages;
  readonly parts: ChatParts;
  conversationId(): string | null;
  /** Saves the new chat as a conversation; its id. */
  create(): Promise<string>;
  open(id: string | null, options?: OpenOptions): Promise<void>;
  /** Asks the question of failed answer `answerId` again, in its place. */
  retry(answerId: string): Promise<void>;
}

export class Turns {
  readonly #host: TurnHost;
  /** Learning the server's copy of the answer just ended: turns wait for it. */
  syncing: Promise<void> | undefined;

  constructor(host: TurnHost) {
    this.#host = host;
  }

  /** Starts `turn` (its answer shown under `place.question`), and shows how it goes. */
  async start(turn: TurnBody, place: TurnPlace): Promise<void> {
    const branch = this.#host.branch;
    const continued = place.continues === undefined ? undefined : branch.tree.get(place.continues);
    const live = this.#host.answer.start(performance.now(), continued?.content);
    const slots = new ControlSlots(live.parts, "assistant");
    branch.live = { article: live.parts.article, slots, question: place.question, continues: place.continues };
    branch.tree.liveUnder = place.continues ? undefined : place.question;
    branch.render();
    branch.view.scrollToEnd();
    await branch.settled();
    const asked = await ask(this.#host.conversationId(), turn, () => this.#host.create());
    if (this.#host.answer.live !== live) return;
    if (asked.kind === "started") return this.#started(live, asked, place);
    this.#host.answer.release(live);
    branch.live = undefined;
    branch.tree.liveUnder = undefined;
    if (place.typed) branch.tree.forget(place.question);
    if (asked.kind === "moved") return this.#moved(asked, place);
    await this.#refused(asked, place);
  }

  #started(live: LiveAnswer, asked: Asked & { kind: "started" }, place: TurnPlace): void {
    const branch = this.#host.branch;
    if (asked.note) this.#host.parts.notify(asked.note);
    if (place.replaces) branch.tree.forget(place.replaces);
    const question = asked.questionId ?? place.question;
    if (question !== place.question) this.#stored(place.question, question);
    if (branch.live) branch.live.model = asked.model;
    this.#host.answer.attach(live, asked.streamId, asked.streamUrl);
    if (this.#host.parts.titleBar.title === null && place.typed)
      this.#host.parts.titleBar.show(titleFromMessage(place.typed.text), true);
    this.#host.parts.tabs.tell({ type: "answering", conversationId: asked.conversationId, streamId: asked.streamId });
    void this.#host.parts.list.refresh();
    branch.render();
  }

  /** Local question `local` is stored as `stored` (an Edit of the same words is a Regenerate of the stored one). */
  #stored(local: string, stored: string): void {
    const { tree } = this.#host.branch;
    if (tree.get(stored)) tree.forget(local);
    else tree.rename(local, stored);
    this.#host.images.rekey(local, stored);
    this.#host.branch.path = this.#host.branch.path.map((id) => (id === local ? stored : id));
    tree.liveUnder = stored;
    if (this.#host.branch.live) this.#host.branch.live.question = stored;
  }

  /** The conversation moved on elsewhere: show it as it is now; the question stays in the composer. */
  async #moved(moved: Asked & { kind: "moved" }, place: TurnPlace): Promise<void> {
    this.#host.parts.notify(
      "This conversation changed on another device; here it is as it is now. Send again to continue.",
    );
    await this.#host.open(moved.conversationId, { leaf: moved.leafId ?? undefined });
    if (place.typed) this.#host.parts.composer.restore(place.typed.text, place.typed.images);
  }

  /**
   * A turn was refused: the branch is shown as before, a question goes back in the message box, and
   * a conversation created for it alone is deleted again.
   */
  async #refused(refused: Asked & { kind: "refused" }, place: TurnPlace): Promise<void> {
    if (refused.created) {
      api.deleteConversation(refused.created).catch(() => {});
      history.replaceState(null, "", `${location.pathname}${location.search}`);
      await this.#host.open(null);
    } else {
      this.#host.branch.path = place.before;
      this.#host.branch.render();
    }
    if (place.typed) this.#host.parts.composer.restore(place.typed.text, place.typed.images);
    this.#host.parts.warn(`Not sent. ${humanError(refused.error)} (${refused.error.code})`);
  }

  /** Re-attaches to the answer `read` says is being written (not `skip`, a stream just lost). */
  reattach(read: Conversation, skip: string | undefined): void {
    const stream = read.running_stream_id;
    const question = read.running_parent_id;
    if (!stream || stream === skip || !question) return;
    const continues = read.running_continues_id ?? undefined;
    const prefix = read.messages.find((message) => message.id === continues)?.content;
    const live = this.#host.answer.start(undefined, prefix);
    const slots = new ControlSlots(live.parts, "assistant");
    this.#host.branch.live = { article: live.parts.article, slots, question, continues };
    if (!continues) this.#host.branch.tree.liveUnder = question;
    this.#host.answer.attach(live, stream, `/api/streams/${encodeURIComponent(stream)}`);
  }

  /** The answer `live` showed has ended: it says how, then the page learns its stored copy. */
  async ended(live: LiveAnswer, end: AnswerEnd): Promise<void> {
    const slot = this.#host.branch.live;
    const id = this.#host.conversationId();
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
    if (id) this.#host.parts.tabs.tell({ type: "answered", conversationId: id });
    void this.#host.parts.list.refresh();
    if (!slot || !id || !live.streamId) return;
    this.syncing = this.#learnAnswer(id, live.streamId, live, slot);
    await this.syncing;
    this.syncing = undefined;
  }

  /** Retry on an answer that failed here: once its stored copy is known, it is asked again. */
  async #retryEnded(slot: LiveSlot): Promise<void> {
    await this.syncing;
    const answer = this.#host.branch.path.at(-1);
    if (answer && this.#host.branch.tree.get(answer)?.parent_id === slot.question) await this.#host.retry(answer);
  }

  /** Learns the server's copy of the answer `live` showed: its id, its siblings, its actions. */
  async #learnAnswer(id: string, streamId: string, live: LiveAnswer, slot: LiveSlot): Promise<void> {
    const stored = await storedAnswer(id, streamId, { questionId: slot.question, continues: slot.continues });
    document.dispatchEvent(new CustomEvent(ANSWER_STORED, { detail: id }));
    const branch = this.#host.branch;
    if (branch.conversationId !== id || branch.live !== slot) return;
    const shown = branch.liveShown;
    branch.live = undefined;
    branch.tree.liveUnder = undefined;
    if (!stored) return void this.#host.open(id);
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
