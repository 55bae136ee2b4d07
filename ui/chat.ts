/**
 * The open conversation: loads it, sends questions, watches the answer, stops it, retries a
 * failed one, and follows what other tabs do. One answer at a time per page.
 */
import { titleFromMessage } from "../src/conversations/title.ts";
import { ApiError, api, type Message } from "./api.ts";
import { contextNote } from "./context-note.ts";
import { type AdminParts, createConversation, deleteConversation, renameConversation } from "./conversation-admin.ts";
import { lastSeenId, localMessage, storedThread } from "./history.ts";
import { type AnswerEnd, LiveAnswer } from "./live-answer.ts";
import { problemOf, showProblem, storedMessage } from "./message-view.ts";
import { QuestionImages } from "./question-images.ts";
import type { TabNews } from "./tabs.ts";
import { ThreadView } from "./thread-view.ts";

/** The parts of the page the conversation drives. */
export interface ChatParts extends AdminParts {
  /** Conversation `id` is now the open one (null: a new chat); `created` when the new chat was just saved as `id`. */
  opened(id: string | null, created?: boolean): void;
  /** The model to ask (undefined: the server's default). */
  model(): string | undefined;
  /** The open conversation's own instructions changed (another conversation, or saved). */
  instructionsChanged(): void;
}

// If Stop's `done` never arrives (the server is gone), the page stops waiting after this long.
const STOP_WAIT_MS = 5_000;

export class Chat {
  readonly #view = new ThreadView();
  readonly #parts: ChatParts;
  #conversationId: string | null = null;
  #title: string | null = null;
  #messages: Message[] = [];
  /** This conversation's own instructions (null: the server's default). */
  #instructions: string | null = null;
  readonly #images = new QuestionImages();
  #live: LiveAnswer | undefined;
  /** The index of the question being edited, if one is. */
  #editing: number | undefined;
  #stopRequested = false;
  #loads = 0;

  constructor(parts: ChatParts) {
    this.#parts = parts;
  }

  get busy(): boolean {
    return this.#live !== undefined;
  }

  /** Shows conversation `id` (null: a new chat), re-attaching to its answer if one is being written. */
  async open(id: string | null, skipStream?: string): Promise<void> {
    const load = ++this.#loads;
    this.#detach();
    this.#conversationId = id;
    this.#parts.list.setActive(id);
    this.#parts.opened(id);
    this.#instructions = null;
    this.#images.clear();
    this.#parts.instructionsChanged();
    if (id === null) {
      this.#show(null, false, []);
      return;
    }
    try {
      const conversation = await api.getConversation(id);
      if (load !== this.#loads) return;
      this.#instructions = conversation.system_prompt;
      this.#parts.instructionsChanged();
      this.#show(conversation.title, true, conversation.messages);
      const running = conversation.running_stream_id;
      if (running && running !== skipStream) this.#watch(running, `/api/streams/${encodeURIComponent(running)}`);
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
    if (this.#live || (!question && images.length === 0)) return;
    const editing = this.#editing;
    this.#editing = undefined;
    if (editing !== undefined) this.#messages = this.#messages.slice(0, editing);
    if (editing !== undefined) this.#view.show(this.#messages, this.#actions);
    const earlier = this.#messages.slice();
    const message = localMessage({ role: "user", content: question, status: "complete" });
    this.#images.remember(message, images);
    this.#append(message);
    await this.#ask(question, earlier, editing !== undefined, images);
  }

  /** This conversation's own instructions; null: the server's default. */
  get instructions(): string | null {
    return this.#instructions;
  }

  /** Saves this conversation's own instructions (null: the default), creating a new chat first. */
  async saveInstructions(text: string | null): Promise<void> {
    const id = this.#conversationId ?? (await this.#create());
    const saved = await api.setInstructions(id, text);
    if (this.#conversationId === id) this.#instructions = saved.system_prompt;
    void this.#parts.list.refresh();
  }

  /** Puts question `index` in the composer; sending it replaces that question and every later turn. */
  edit(index: number): void {
    const message = this.#messages[index];
    if (this.#live || !message || message.id.startsWith("local-")) return;
    this.#editing = index;
    this.#parts.composer.restore(message.content);
    this.#parts.composer.focus();
    this.#parts.notify("Editing an earlier message: sending replaces it and everything after it.");
  }

  /** Stops the answer being written: the server cancels the model call and ends the stream. */
  stop(): void {
    const live = this.#live;
    if (!live) return;
    live.stopRequested = true;
    if (!live.streamId) {
      this.#stopRequested = true;
      return;
    }
    api.stopStream(live.streamId).catch(() => {});
    setTimeout(() => {
      if (this.#live === live) live.abandon("cancelled");
    }, STOP_WAIT_MS);
  }

  async rename(title: string): Promise<void> {
    const id = this.#conversationId;
    const renamed = id ? await renameConversation(this.#parts, id, title) : undefined;
    if (renamed !== undefined) this.#title = renamed;
  }

  async delete(): Promise<void> {
    const id = this.#conversationId;
    if (id) await deleteConversation(this.#parts, id, this.#live?.streamId);
  }

  /** Follows another tab: its new answer streams here too; its renames and deletions show. */
  async hear(news: TabNews): Promise<void> {
    const titles = await this.#parts.list.refresh();
    const here = this.#conversationId;
    if (news.type === "deleted" && news.conversationId === here) {
      this.#parts.notify("This conversation was deleted in another tab.");
      location.hash = "";
    } else if (news.type === "answering" && news.conversationId === here) {
      if (this.#live?.streamId !== news.streamId) await this.open(here);
    } else if (here && titles.has(here) && !this.#live) {
      this.#title = titles.get(here) ?? null;
      this.#parts.titleBar.show(this.#title, true);
    }
  }

  async #ask(question: string, earlier: Message[], replace = false, images: string[] = []): Promise<void> {
    const live = this.#startLive(performance.now());
    try {
      const id = this.#conversationId ?? (await this.#create());
      const parent = replace ? (earlier.at(-1)?.id ?? null) : lastSeenId(earlier);
      const model = this.#parts.model();
      const { streamId, streamUrl, context } = await api.startChat(id, question, parent, replace, model, images);
      if (this.#live !== live) return;
      const note = contextNote(context);
      if (note) this.#parts.notify(note);
      live.attach(streamId, streamUrl);
      if (this.#stopRequested) this.stop();
      if (this.#title === null) {
        this.#title = titleFromMessage(question);
        this.#parts.titleBar.show(this.#title, true);
      }
      this.#parts.tabs.tell({ type: "answering", conversationId: id, streamId });
      void this.#parts.list.refresh();
    } catch (error) {
      if (this.#live !== live) return;
      if (error instanceof ApiError && error.code === "conversation_moved") return this.#moved(live, question, images);
      const failure = error instanceof ApiError ? error : new ApiError("internal", String(error), 0, true);
      this.#live = undefined;
      this.#parts.composer.setBusy(false);
      live.failToSend(failure, failure.retryable ? this.#actions.retry : undefined);
    }
  }

  /** The conversation moved on elsewhere: show it as it is now; the question stays in the composer. */
  async #moved(live: LiveAnswer, question: string, images: string[]): Promise<void> {
    live.detach();
    this.#live = undefined;
    this.#parts.composer.setBusy(false);
    this.#parts.notify("This conversation changed on another device; here it is as it is now. Send again to continue.");
    await this.open(this.#conversationId);
    this.#parts.composer.restore(question, images);
  }

  /** Learns the server's ids of the messages this page added, once the answer is stored. */
  async #syncIds(id: string): Promise<void> {
    const stored = await storedThread(id, this.#messages.length);
    if (stored && this.#conversationId === id && !this.#live) this.#messages = stored;
  }

  async #create(): Promise<string> {
    const created = await createConversation(this.#parts);
    this.#conversationId = created.id;
    this.#title = created.title;
    this.#parts.opened(created.id, true);
    return created.id;
  }

  /** Asks the last question again, in place of its answer: one that failed (Retry) or a good one (Regenerate). */
  async #askAgain(replace: boolean): Promise<void> {
    if (this.#live) return;
    const index = this.#messages.findLastIndex((m) => m.role === "user");
    const question = this.#messages[index];
    if (!question) return;
    this.#messages = this.#messages.slice(0, index + 1);
    this.#view.show(this.#messages, this.#actions);
    await this.#ask(question.content, this.#messages.slice(0, index), replace, this.#images.toResend(question));
  }

  readonly #actions = {
    retry: () => void this.#askAgain(false),
    regenerate: () => void this.#askAgain(true),
    edit: (index: number) => this.edit(index),
    imagesOf: (message: Message) => this.#images.shown(message, this.#conversationId),
  };

  #watch(streamId: string, streamUrl: string): void {
    this.#startLive(undefined).attach(streamId, streamUrl);
  }

  #startLive(sentAt: number | undefined): LiveAnswer {
    this.#stopRequested = false;
    const live: LiveAnswer = new LiveAnswer({
      sentAt,
      rendered: () => this.#view.follow(),
      ended: (end) => this.#ended(live, end),
      lost: () => {
        if (this.#live !== live) return;
        this.#live = undefined;
        void this.open(this.#conversationId, live.streamId);
      },
    });
    this.#live = live;
    this.#view.append(live.parts.article);
    this.#parts.composer.setBusy(true);
    return live;
  }

  #ended(live: LiveAnswer, end: AnswerEnd): void {
    if (this.#live !== live) return;
    this.#live = undefined;
    const message = localMessage({ role: "assistant", content: end.text, status: end.status, error: end.error });
    this.#messages.push(message);
    showProblem(live.parts, problemOf(message, this.#actions.retry));
    this.#parts.composer.setBusy(false);
    if (this.#conversationId) {
      this.#parts.tabs.tell({ type: "answered", conversationId: this.#conversationId });
      void this.#syncIds(this.#conversationId);
    }
    void this.#parts.list.refresh();
  }

  #detach(): void {
    this.#live?.detach();
    this.#live = undefined;
    this.#parts.composer.setBusy(false);
  }

  #show(title: string | null, saved: boolean, messages: Message[]): void {
    this.#title = title;
    this.#messages = messages.slice();
    this.#parts.titleBar.show(title, saved);
    this.#view.show(this.#messages, this.#actions);
  }

  #append(message: Message): void {
    this.#messages.push(message);
    this.#view.append(storedMessage(message, {}, this.#images.shown(message, this.#conversationId)));
  }
}
