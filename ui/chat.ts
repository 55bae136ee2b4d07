/**
 * The open conversation: loads it, sends questions, retries a failed answer, edits an earlier
 * question. The answer being written lives in the answer slot (answer-slot.ts); the calls that
 * start one in asking.ts. One answer at a time per page.
 */
import { titleFromMessage } from "../src/conversations/title.ts";
import { AnswerSlot } from "./answer-slot.ts";
import { ApiError, api, type Conversation, type Message } from "./api.ts";
import { type Asked, type Asking, ask } from "./asking.ts";
import { type AdminParts, createConversation } from "./conversation-admin.ts";
import { humanError } from "./error-text.ts";
import { lastSeenId, localMessage, storedThread } from "./history.ts";
import type { AnswerEnd, LiveAnswer } from "./live-answer.ts";
import { problemOf, showProblem, storedMessage } from "./message-view.ts";
import { QuestionImages } from "./question-images.ts";
import { ThreadView } from "./thread-view.ts";
import { ANSWER_STORED } from "./usage-and-sharing.ts";

/** The parts of the page the conversation drives. */
export interface ChatParts extends AdminParts {
  /**
   * Conversation `id` is now the open one (null: a new chat); `created` when the new chat was just
   * saved as `id` (what it returns is awaited before the first question is sent).
   */
  opened(id: string | null, created?: boolean): void | Promise<void>;
  /** The open conversation was read (its settings: tools). */
  loaded?(conversation: Conversation): void;
  /** The model to ask (undefined: the server's default). */
  model(): string | undefined;
  /** The open conversation's own instructions are `prompt` (null: the server's default). */
  instructionsLoaded(prompt: string | null): void;
  /** Says, until the next question, why a question was not sent. */
  warn(text: string): void;
}

export class Chat {
  readonly #view = new ThreadView();
  readonly #parts: ChatParts;
  readonly #answer: AnswerSlot;
  #conversationId: string | null = null;
  #messages: Message[] = [];
  readonly #images = new QuestionImages();
  /** The index of the question being edited, if one is. */
  #editing: number | undefined;
  #loads = 0;

  constructor(parts: ChatParts) {
    this.#parts = parts;
    this.#answer = new AnswerSlot({
      started: (live) => this.#view.append(live.parts.article),
      rendered: () => this.#view.follow(),
      ended: (live, end) => this.#ended(live, end),
      lost: (live) => void this.open(this.#conversationId, live.streamId),
      busyChanged: (busy) => parts.composer.setBusy(busy),
    });
  }

  get busy(): boolean {
    return this.#answer.live !== undefined;
  }

  /** The open conversation's id; null for a new chat. */
  get conversationId(): string | null {
    return this.#conversationId;
  }

  /** The stream of the answer being written here, if any. */
  get streamId(): string | undefined {
    return this.#answer.live?.streamId;
  }

  /** Shows conversation `id` (null: a new chat), re-attaching to its answer if one is being written. */
  async open(id: string | null, skipStream?: string): Promise<void> {
    const load = ++this.#loads;
    this.#answer.release();
    this.#conversationId = id;
    this.#parts.list.setActive(id);
    this.#parts.opened(id);
    this.#images.clear();
    this.#parts.instructionsLoaded(null);
    if (id === null) return this.#show(null, false, []);
    try {
      const conversation = await api.getConversation(id);
      if (load !== this.#loads) return;
      this.#parts.instructionsLoaded(conversation.system_prompt);
      this.#parts.loaded?.(conversation);
      this.#show(conversation.title, true, conversation.messages);
      const running = conversation.running_stream_id;
      if (running && running !== skipStream) {
        this.#answer.attach(this.#answer.start(undefined), running, `/api/streams/${encodeURIComponent(running)}`);
      }
    } catch (error) {
      if (load !== this.#loads) return;
      const gone = error instanceof ApiError && error.status === 404;
      this.#parts.notify(gone ? "That conversation no longer exists." : (error as Error).message);
      if (gone) location.hash = "";
    }
  }

  /**
   * Sends `text` as the next question in this conversation (creating it first if new); while an
   * earlier question is being edited, in its place, replacing every later turn.
   */
  async send(text: string, images: string[] = []): Promise<void> {
    const question = text.trim();
    if (this.busy || (!question && images.length === 0)) return;
    const editing = this.#editing;
    this.#editing = undefined;
    if (editing !== undefined) {
      this.#messages = this.#messages.slice(0, editing);
      this.#view.show(this.#messages, this.#actions);
    }
    const earlier = this.#messages.slice();
    const message = localMessage({ role: "user", content: question, status: "complete" });
    this.#images.remember(message, images);
    this.#append(message);
    await this.#ask({ text: question, images, earlier, replace: editing !== undefined, typed: true });
  }

  /** The open conversation's id, saving a new chat as a conversation first. */
  async saved(): Promise<string> {
    return this.#conversationId ?? (await this.#create());
  }

  /** Puts question `index` (the last one when undefined) in the composer; sending it replaces it and every later turn. */
  edit(index = this.#messages.findLastIndex((m) => m.role === "user")): void {
    const message = this.#messages[index];
    if (this.busy || !message || message.role !== "user" || message.id.startsWith("local-")) return;
    this.#editing = index;
    this.#parts.composer.restore(message.content);
    this.#parts.composer.focus();
    this.#parts.notify("Editing an earlier message: sending replaces it and everything after it.");
  }

  /** Stops the answer being written: the server cancels the model call and ends the stream. */
  stop(): void {
    this.#answer.stop();
  }

  async #ask(question: Asking): Promise<void> {
    const live = this.#answer.start(performance.now());
    const asked = await ask(
      {
        conversationId: this.#conversationId,
        text: question.text,
        images: question.images,
        parentId: question.replace ? (question.earlier.at(-1)?.id ?? null) : lastSeenId(question.earlier),
        replace: question.replace,
        model: this.#parts.model(),
      },
      () => this.#create(),
    );
    if (this.#answer.live !== live) return;
    if (asked.kind === "started") return this.#started(live, asked, question.text);
    this.#answer.release(live);
    if (asked.kind === "moved") return this.#moved(asked.conversationId, question);
    if (question.typed) return this.#refused(live, question, asked);
    live.failToSend(asked.error, asked.error.retryable ? this.#actions.retry : undefined);
  }

  #started(live: LiveAnswer, asked: Asked & { kind: "started" }, question: string): void {
    if (asked.note) this.#parts.notify(asked.note);
    this.#answer.attach(live, asked.streamId, asked.streamUrl);
    if (this.#parts.titleBar.title === null) this.#parts.titleBar.show(titleFromMessage(question), true);
    this.#parts.tabs.tell({ type: "answering", conversationId: asked.conversationId, streamId: asked.streamId });
    void this.#parts.list.refresh();
  }

  /** The conversation moved on elsewhere: show it as it is now; the question stays in the composer. */
  async #moved(id: string, question: Asking): Promise<void> {
    this.#parts.notify("This conversation changed on another device; here it is as it is now. Send again to continue.");
    await this.open(id);
    this.#parts.composer.restore(question.text, question.images);
  }

  /**
   * A question from the message box was refused: it goes back there, the thread is as before, and a
   * conversation created for it alone is deleted again.
   */
  async #refused(live: LiveAnswer, question: Asking, refused: Asked & { kind: "refused" }): Promise<void> {
    live.parts.article.remove();
    if (refused.created) {
      api.deleteConversation(refused.created).catch(() => {});
      history.replaceState(null, "", `${location.pathname}${location.search}`);
      await this.open(null);
    } else if (question.replace) {
      await this.open(this.#conversationId);
    } else {
      this.#messages = question.earlier;
      this.#view.removeLast();
    }
    this.#parts.composer.restore(question.text, question.images);
    this.#parts.warn(`Not sent. ${humanError(refused.error)} (${refused.error.code})`);
  }

  /** Learns the server's ids of the messages this page added, once the answer is stored. */
  async #syncIds(id: string): Promise<void> {
    const stored = await storedThread(id, this.#messages.length);
    if (stored && this.#conversationId === id && !this.busy) this.#messages = stored;
    document.dispatchEvent(new CustomEvent(ANSWER_STORED, { detail: id }));
  }

  async #create(): Promise<string> {
    const created = await createConversation(this.#parts);
    this.#conversationId = created.id;
    await this.#parts.opened(created.id, true);
    return created.id;
  }

  /** Asks the last question again, in place of its answer: one that failed (Retry) or a good one (Regenerate). */
  async #askAgain(replace: boolean): Promise<void> {
    if (this.busy) return;
    const index = this.#messages.findLastIndex((m) => m.role === "user");
    const question = this.#messages[index];
    if (!question) return;
    this.#messages = this.#messages.slice(0, index + 1);
    this.#view.show(this.#messages, this.#actions);
    const images = this.#images.toResend(question);
    const earlier = this.#messages.slice(0, index);
    await this.#ask({ text: question.content, images, earlier, replace, typed: false });
  }

  readonly #actions = {
    retry: () => void this.#askAgain(false),
    regenerate: () => void this.#askAgain(true),
    edit: (index: number) => this.edit(index),
    imagesOf: (message: Message) => this.#images.shown(message, this.#conversationId),
  };

  #ended(live: LiveAnswer, end: AnswerEnd): void {
    const message = localMessage({ role: "assistant", content: end.text, status: end.status, error: end.error });
    this.#messages.push(message);
    showProblem(live.parts, problemOf(message, this.#actions.retry));
    if (this.#conversationId) {
      this.#parts.tabs.tell({ type: "answered", conversationId: this.#conversationId });
      void this.#syncIds(this.#conversationId);
    }
    void this.#parts.list.refresh();
  }

  #show(title: string | null, saved: boolean, messages: Message[]): void {
    this.#messages = messages.slice();
    this.#parts.titleBar.show(title, saved);
    this.#view.show(this.#messages, this.#actions);
  }

  #append(message: Message): void {
    this.#messages.push(message);
    this.#view.append(storedMessage(message, {}, this.#images.shown(message, this.#conversationId)));
  }
}
