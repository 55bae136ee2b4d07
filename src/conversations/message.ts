/**
 * A conversation's messages as the API serves them: each as stored (with its parent in the tree),
 * and as a path read shows it (with its siblings). A message id that is not one of the
 * conversation's is, as another user's conversation is, one that does not exist.
 */
import type { AnswerFigures, Role, ToolStep, Usage } from "../contract.ts";
import { NotFoundError } from "../errors.ts";
import type { DocumentRef } from "./documents.ts";
import type { ImageRef } from "./images.ts";

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
  /** The model that wrote an answer (for a continued one, its latest part). */
  model?: string;
  /** What an answer cost, its continuations summed: reported by the model, or `estimated`. */
  usage?: Usage;
  /** A question's images, in the order they were sent (served at `/api/conversations/:id/images/:imageId`). */
  images?: ImageRef[];
  /** A question's documents, in the order they were sent (their text at `/api/conversations/:id/documents/:documentId`). */
  documents?: DocumentRef[];
  /** An answer's tool calls, in order: each with its arguments and its result (untrusted text). */
  tool_steps?: ToolStep[];
}

/** A message as stored: with its place in the tree. */
export interface StoredMessage extends Message {
  /** The message this one follows; null for a first question. */
  parent_id: string | null;
}

/** A message of the path a read serves, with its place among its siblings (`< position/count >`). */
export interface PathMessage extends StoredMessage {
  /** This message and the others under the same parent, oldest first. */
  sibling_ids: string[];
  /** 1-based: this message's place in `sibling_ids`. */
  sibling_position: number;
  sibling_count: number;
  /** Set when the read cut `content` to its `max_bytes`: the whole text's size in UTF-8 bytes. */
  full_bytes?: number;
}

/** A message id that is not one of the conversation's: another user's is one that does not exist. */
export class MessageNotFoundError extends NotFoundError {
  override name = "MessageNotFoundError";
  constructor(id: string) {
    super(`message ${id.slice(0, 64)}`);
  }
}
