/**
 * What Sluice remembers of a chat: conversations and their messages. The interface is
 * asynchronous so that a networked backend (Postgres) can implement it as well as SQLite.
 */

import type { AnswerFigures, Role } from "../contract.ts";
import { ValidationError } from "../errors.ts";
import type { ImageRef, NewImage, StoredImage } from "./images.ts";

export type { Role };

/** How an answer ended; a user message is always "complete". */
export type MessageStatus = "complete" | "cancelled" | "error" | "interrupted";

export interface MessageError {
  code: string;
  message: string;
  /** Whether sending the same message again may succeed (from the generation's error event). */
  retryable: boolean;
}

export interface Message {
  id: string;
  role: Role;
  content: string;
  status: MessageStatus;
  error?: MessageError;
  /** ISO 8601. */
  created_at: string;
  /** An answer's TTFT, duration, tokens and finish reason, when its generation reported them. */
  figures?: AnswerFigures;
  /** A question's images, in the order they were sent (served at `/api/conversations/:id/images/:imageId`). */
  images?: ImageRef[];
}

export interface ConversationSummary {
  id: string;
  /** Null until the user names it or the first message does. */
  title: string | null;
  created_at: string;
  updated_at: string;
}

export interface Conversation extends ConversationSummary {
  messages: Message[];
  /** The generation answering right now, or null; a page re-attaches to it. */
  running_stream_id: string | null;
  /** This conversation's own instructions to the model; null: the server's SYSTEM_PROMPT. */
  system_prompt: string | null;
}

export interface ConversationPage {
  /** Most recently updated first. */
  conversations: ConversationSummary[];
  /** Pass as `before` for the next page; null on the last page. */
  next_cursor: string | null;
}

export interface PageRequest {
  limit: number;
  before?: string | undefined;
}

/** The start of an exchange: the user's message, and the generation that will answer it. */
export interface ExchangeStart {
  streamId: string;
  userContent: string;
  /** Becomes the conversation's title if it has none. */
  title: string;
  /** The question's images, stored with it (none for a retry, which keeps the stored ones). */
  images?: NewImage[];
}

/** The end of an exchange: the answer as far as it got. */
export interface ExchangeEnd {
  streamId: string;
  content: string;
  /** "interrupted": the server shut down before the answer was complete. */
  status: MessageStatus;
  error?: MessageError;
  /** From the generation's `done` event; absent when it ended with an error. */
  figures?: AnswerFigures;
}

/** The text of a running answer so far. */
export interface AnswerCheckpoint {
  conversationId: string;
  streamId: string;
  content: string;
}

/**
 * Every conversation belongs to one user (its `owner`), and every call names the user it acts
 * for: another user's conversation is, to each method, one that does not exist.
 */
export interface ConversationStore {
  list(owner: string, page: PageRequest): Promise<ConversationPage>;
  create(owner: string, title?: string | null): Promise<ConversationSummary>;
  get(owner: string, id: string): Promise<Conversation | undefined>;
  exists(owner: string, id: string): Promise<boolean>;
  /** Undefined when there is no such conversation. */
  rename(owner: string, id: string, title: string): Promise<ConversationSummary | undefined>;
  /** False when there was no such conversation. */
  delete(owner: string, id: string): Promise<boolean>;
  /**
   * Stores the user's message and marks `streamId` as running. Sending the same text again right
   * after a failed answer (error or interrupted) replaces that answer instead of repeating the
   * question: that is what Retry does. False when the conversation does not exist; throws
   * ConversationBusyError (409) while another exchange of the conversation is running.
   */
  beginExchange(owner: string, conversationId: string, start: ExchangeStart): Promise<boolean>;
  /** Stores the answer and clears the running stream if it is still `streamId`. False if the conversation is gone. */
  finishExchange(owner: string, conversationId: string, end: ExchangeEnd): Promise<boolean>;
  /**
   * Removes every message after `messageId` (null: all of them), to regenerate an answer or to
   * continue from an edited question. False when the conversation does not exist, the message is
   * not in it, or an answer is being written.
   */
  truncateAfter(owner: string, conversationId: string, messageId: string | null): Promise<boolean>;
  /**
   * Stores running answers' text so far, in one transaction, each while its `streamId` is still
   * its conversation's running stream; {@link recoverInterrupted} keeps it after a crash.
   * Returns how many were stored.
   */
  checkpointAnswers(checkpoints: AnswerCheckpoint[]): Promise<number>;
  /**
   * Ends every exchange still marked running (or only those of `streamIds`) with an "interrupted"
   * answer that keeps its checkpointed text: called at start-up, when no generation of a previous
   * process can still be alive, or for the answers of an instance that died (cluster/answer-sweeper.ts).
   * Returns how many there were.
   */
  recoverInterrupted(streamIds?: string[]): Promise<number>;
  /** The stream ids of every exchange marked running, in any conversation. */
  runningStreamIds(): Promise<string[]>;
  close(): Promise<void>;
  /**
   * `owner`'s conversations whose title or messages hold every word of `text` (the last word may
   * be the start of one), most recently updated first, at most `limit`. Never another user's.
   */
  search(owner: string, text: string, limit: number): Promise<SearchHit[]>;
  /** Sets the conversation's own system prompt (null: back to the default). False when there is no such conversation. */
  setSystemPrompt(owner: string, id: string, prompt: string | null): Promise<boolean>;
  /** One image of a question in `owner`'s conversation, with its bytes; undefined for anyone else's. */
  getImage(owner: string, conversationId: string, imageId: string): Promise<StoredImage | undefined>;
  /** The images of `messageIds` (in `owner`'s conversation), with their bytes, in message and sending order. */
  imagesOf(owner: string, conversationId: string, messageIds: string[]): Promise<StoredImage[]>;
  /** What `owner` stores now, for their quotas (quotas.ts). */
  usage(owner: string): Promise<StoredUsage>;
}

/** What one user stores: their conversations, and the UTF-8 bytes of their text and images. */
export interface StoredUsage {
  conversations: number;
  /** Messages, titles, custom instructions and images together. */
  bytes: number;
}

/** A conversation found by {@link ConversationStore.search}. */
export interface SearchHit extends ConversationSummary {
  /** Plain text around the best match in its messages, or the title when only the title matched. */
  snippet: string;
}

/** Thrown for a `before` cursor this store did not produce. */
export class InvalidCursorError extends ValidationError {
  override name = "InvalidCursorError";
  constructor(cursor: string) {
    super("before", `"${cursor.slice(0, 40)}" is not a cursor from a previous page`);
  }
}
