/**
 * What Sluice remembers of a chat: conversations and their messages. The interface is
 * asynchronous so that a networked backend (Postgres) can implement it as well as SQLite.
 * A conversation is a tree of messages (tree.ts): Regenerate and Edit add a version beside the
 * message they redo, and the conversation keeps the leaf of the branch it shows. What the store
 * keeps beside the conversations has interfaces of its own, which ConversationStore extends: the
 * token ledger (usage/usage-store.ts), share links (shares.ts), documents (documents.ts), and the
 * admin page's reads and audit log (admin-store.ts).
 */

import type { TokenUsageStore } from "../usage/usage-store.ts";
import type { AdminStore } from "./admin-store.ts";
import type { ConversationPage, ConversationSummary, PageRequest } from "./conversation-list.ts";
import type { DocumentStore } from "./documents.ts";
import type { AnswerCheckpoint, ExchangeEnd, ExchangeStart } from "./exchanges.ts";
import type { StoredImage } from "./images.ts";
import type { PathMessage, StoredMessage } from "./message.ts";
import type { ShareLinkStore } from "./shares.ts";
import type { TreeNode } from "./tree.ts";

export type {
  AnswerAgainStart,
  AnswerCheckpoint,
  AskStart,
  ContinueStart,
  ExchangeEnd,
  ExchangeStart,
} from "./exchanges.ts";
export type { Message, MessageError, MessageStatus, PathMessage, Role, StoredMessage } from "./message.ts";
export { MessageNotFoundError } from "./message.ts";
export type { TreeNode };

/** A conversation's own fields, without its messages. */
export interface ConversationState extends ConversationSummary {
  /** The generation answering right now, or null; a page re-attaches to it. */
  running_stream_id: string | null;
  /** The question the running answer is written under; null when none runs. */
  running_parent_id: string | null;
  /** With Continue: the answer the running generation extends (its stream carries only the new text). */
  running_continues_id: string | null;
  /** This conversation's own instructions to the model; null: the server's SYSTEM_PROMPT. */
  system_prompt: string | null;
  /** The model chosen for this conversation, used when a question names none; null: the server's default. */
  model: string | null;
  /** The leaf of the branch the conversation shows, on every device; null while it has no message. */
  current_leaf_id: string | null;
  /** Whether its answers may call the operator's MCP tools; null: the server's default (TOOLS_DEFAULT). */
  tools: boolean | null;
}

/** A conversation as a read serves it: its fields and (a window of) one path through its tree. */
export interface Conversation extends ConversationState {
  /** The path's messages in the window read, root side first. */
  messages: PathMessage[];
  /** The leaf of the path served: the current leaf, or the one a read asked for. */
  leaf_id: string | null;
  /** How many messages the whole path holds. */
  path_length: number;
  /** Pass as `before` to read the older part of the path; null when `messages` starts at its root. */
  next_cursor: string | null;
}

/** Which path a read serves, and how much of it. */
export interface PathRead {
  /** Any message: the path through it, down to its newest leaf (default: the current leaf). */
  leaf?: string | undefined;
  /** A message of the path: only the messages above it (the older part of the path). */
  before?: string | undefined;
  /** At most this many messages, the newest of the path (default: all). */
  limit?: number | undefined;
  /** At most about this many bytes of text (default: no bound); a message larger alone is cut to it. */
  maxBytes?: number | undefined;
}

/** A conversation's fields and the skeleton of its tree, messages in the order they were written. */
export interface ConversationTree {
  conversation: ConversationState;
  nodes: TreeNode[];
}

/**
 * Every conversation belongs to one user (its `owner`), and every call names the user it acts
 * for: another user's conversation is, to each method, one that does not exist; so is a message
 * id that is not one of the conversation's (404 `not_found`, whoever's it is).
 */
export interface ConversationStore extends TokenUsageStore, ShareLinkStore, DocumentStore, AdminStore {
  list(owner: string, page: PageRequest): Promise<ConversationPage>;
  /**
   * A new conversation; `id` chooses its id (a route that derives ids from its clients' own, such
   * as an AI SDK chat's); a store error when that id is taken.
   */
  create(owner: string, title?: string | null, id?: string): Promise<ConversationSummary>;
  /** The conversation with a path through its tree (path-read.ts); undefined when there is no such conversation. */
  get(owner: string, id: string, read?: PathRead): Promise<Conversation | undefined>;
  /** The conversation's fields and its messages' skeleton; undefined when there is no such conversation. */
  tree(owner: string, id: string): Promise<ConversationTree | undefined>;
  /** The messages of `ids` (of `owner`'s conversation `id`), whole, in the order asked; unknown ids are left out. */
  messages(owner: string, id: string, ids: string[]): Promise<StoredMessage[]>;
  exists(owner: string, id: string): Promise<boolean>;
  /** Undefined when there is no such conversation. */
  rename(owner: string, id: string, title: string): Promise<ConversationSummary | undefined>;
  /** False when there was no such conversation. */
  delete(owner: string, id: string): Promise<boolean>;
  /**
   * Shows the branch through `messageId` on every device: the current leaf becomes the newest leaf
   * under it. Returns that leaf; undefined when there is no such conversation; 404 for a message
   * that is not in it.
   */
  setCurrentLeaf(owner: string, id: string, messageId: string): Promise<string | undefined>;
  /**
   * Deletes `messageId` and every message under it; a current leaf among them moves to the newest
   * leaf left under its parent. False when there is no such conversation; 404 for a message not in
   * it; 409 `conversation_busy` while an answer runs.
   */
  deleteBranch(owner: string, id: string, messageId: string): Promise<boolean>;
  /**
   * Stores the question (if the start has one) and marks `streamId` as running; the current leaf
   * becomes the question (for Continue, the answer continued). False when the conversation does
   * not exist; 404 for a message named that is not in it; 400 for an answer that cannot be
   * continued; 409 `conversation_busy` while another exchange runs, `conversation_moved` when the
   * Ask's expected leaf or a continued answer's place has changed.
   */
  beginExchange(owner: string, conversationId: string, start: ExchangeStart): Promise<boolean>;
  /**
   * Stores the answer (or appends a continuation to its answer) and clears the running stream if
   * it is still `streamId`; the answer becomes the current leaf while the leaf is still its
   * question. False if the conversation is gone.
   */
  finishExchange(owner: string, conversationId: string, end: ExchangeEnd): Promise<boolean>;
  /**
   * Stores running answers' text so far, in one transaction, each while its `streamId` is still
   * its conversation's running stream; {@link recoverInterrupted} keeps it after a crash.
   * Returns how many were stored.
   */
  checkpointAnswers(checkpoints: AnswerCheckpoint[]): Promise<number>;
  /**
   * Ends every exchange still marked running (or only those of `streamIds`) with an "interrupted"
   * answer that keeps its checkpointed text (a continuation's is appended to its answer): called at
   * start-up, when no generation of a previous process can still be alive, or for the answers of
   * an instance that died (cluster/answer-sweeper.ts). Returns how many there were.
   */
  recoverInterrupted(streamIds?: string[]): Promise<number>;
  /** The stream ids of every exchange marked running, in any conversation. */
  runningStreamIds(): Promise<string[]>;
  close(): Promise<void>;
  /**
   * `owner`'s conversations whose title or messages (on any branch) hold every word of `text`
   * (the last word may be the start of one), most recently updated first, at most `limit`. Never
   * another user's.
   */
  search(owner: string, text: string, limit: number): Promise<SearchHit[]>;
  /** Sets the conversation's own system prompt (null: back to the default). False when there is no such conversation. */
  setSystemPrompt(owner: string, id: string, prompt: string | null): Promise<boolean>;
  /** Sets the conversation's model (null: the server's default). False when there is no such conversation. */
  setModel(owner: string, id: string, model: string | null): Promise<boolean>;
  /** Turns the conversation's tools on or off (null: the server's default). False when there is no such conversation. */
  setTools(owner: string, id: string, tools: boolean | null): Promise<boolean>;
  /** One image of a question in `owner`'s conversation, with its bytes; undefined for anyone else's. */
  getImage(owner: string, conversationId: string, imageId: string): Promise<StoredImage | undefined>;
  /** The images of `messageIds` (in `owner`'s conversation), with their bytes, in message and sending order. */
  imagesOf(owner: string, conversationId: string, messageIds: string[]): Promise<StoredImage[]>;
  /** What `owner` stores now, for their quotas (quotas.ts): their share links' snapshots included. */
  usage(owner: string): Promise<StoredUsage>;
  /** What the answers of `owner`'s conversation `id` cost, replaced and deleted ones included; undefined when there is no such conversation. */
  conversationUsage(owner: string, id: string): Promise<ConversationUsage | undefined>;
}

/** What a conversation's answers cost, in tokens. */
export interface ConversationUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Of those, the tokens Sluice estimated because the model reported none. */
  estimated_tokens: number;
}

/** What one user stores: their conversations, and the UTF-8 bytes of their text, images and documents. */
export interface StoredUsage {
  conversations: number;
  /** Messages, titles, custom instructions, images and documents' text together. */
  bytes: number;
}

/** A conversation found by {@link ConversationStore.search}. */
export interface SearchHit extends ConversationSummary {
  /** Plain text around the best match in its messages, or the title when only the title matched. */
  snippet: string;
  /** The message that holds the match (open its branch with `PATCH … {current_leaf_id}`); null when only the title matched. */
  message_id: string | null;
}
