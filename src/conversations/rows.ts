/**
 * The tables' rows, the same on SQLite and PostgreSQL (their migrations keep the columns alike),
 * and the one place that turns rows into what the API serves and new data into rows, so that
 * each engine's store holds only its SQL. Times are stored as epoch milliseconds (they sort and
 * compare as numbers) and served as ISO 8601.
 */
import type { FinishReason } from "../contract.ts";
import type { ImageMediaType, ImageRef } from "./images.ts";
import type { Conversation, ConversationSummary, Message, MessageStatus, Role, SearchHit } from "./store.ts";

export interface ConversationRow {
  id: string;
  title: string | null;
  created_at: number;
  updated_at: number;
  running_stream_id: string | null;
  /** The running answer's text at its last checkpoint. */
  running_content: string | null;
  /** Custom instructions; null: the server's SYSTEM_PROMPT. (Absent in rows built in code.) */
  system_prompt?: string | null;
}

/** A message as it is inserted: every column but `seq`, which the database numbers. */
export interface NewMessageRow {
  id: string;
  conversation_id: string;
  role: Role;
  content: string;
  status: MessageStatus;
  error_code: string | null;
  error_message: string | null;
  error_retryable: number | null;
  created_at: number;
  ttft_ms: number | null;
  total_ms: number | null;
  completion_tokens: number | null;
  finish_reason: FinishReason | null;
}

/** A stored message's row. */
export interface MessageRow extends NewMessageRow {
  seq: number;
}

/** What a store is given of a message to add: the rest (id, time) is made here. */
export type NewMessage = Pick<Message, "role" | "content" | "status" | "error" | "figures">;

/** A row of message_images without its bytes. */
export interface ImageRefRow {
  id: string;
  message_id: string;
  media_type: ImageMediaType;
  size: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The row of a new conversation, `title` or none yet, created now. */
export function newConversationRow(title: string | null): ConversationRow {
  const now = Date.now();
  return {
    id: crypto.randomUUID(),
    title,
    created_at: now,
    updated_at: now,
    running_stream_id: null,
    running_content: null,
  };
}

/** The row of a new message of `conversationId`, under a new id, created now. */
export function newMessageRow(conversationId: string, message: NewMessage): NewMessageRow {
  const { error, figures } = message;
  return {
    id: crypto.randomUUID(),
    conversation_id: conversationId,
    role: message.role,
    content: message.content,
    status: message.status,
    error_code: error?.code ?? null,
    error_message: error?.message ?? null,
    error_retryable: error ? Number(error.retryable) : null,
    created_at: Date.now(),
    ttft_ms: figures?.ttft_ms ?? null,
    total_ms: figures?.total_ms ?? null,
    completion_tokens: figures?.completion_tokens ?? null,
    finish_reason: figures?.finish_reason ?? null,
  };
}

/** A conversation row as the list shows it. */
export function toSummary(row: ConversationRow): ConversationSummary {
  return { id: row.id, title: row.title, created_at: iso(row.created_at), updated_at: iso(row.updated_at) };
}

/** A message row as the API serves it; `error` only when the answer failed. */
export function toMessage(row: MessageRow): Message {
  const { id, role, content, status } = row;
  const message: Message = { id, role, content, status, created_at: iso(row.created_at) };
  if (row.error_code !== null) {
    message.error = { code: row.error_code, message: row.error_message ?? "", retryable: row.error_retryable === 1 };
  }
  if (row.finish_reason != null) {
    message.figures = {
      ttft_ms: row.ttft_ms ?? null,
      total_ms: row.total_ms ?? 0,
      completion_tokens: row.completion_tokens ?? 0,
      finish_reason: row.finish_reason,
    };
  }
  return message;
}

/** The messages with their images attached (rows ordered by message, then position). */
export function withImages(messages: Message[], images: ImageRefRow[]): Message[] {
  const byMessage = new Map<string, ImageRef[]>();
  for (const { id, message_id, media_type, size } of images) {
    const list = byMessage.get(message_id) ?? [];
    list.push({ id, media_type, size });
    byMessage.set(message_id, list);
  }
  for (const message of messages) {
    const list = byMessage.get(message.id);
    if (list) message.images = list;
  }
  return messages;
}

/** A conversation as `get` serves it: its row, its messages (in order) and their images' rows (see {@link withImages}). */
export function conversationFromRows(
  row: ConversationRow,
  messages: MessageRow[],
  images: ImageRefRow[],
): Conversation {
  return {
    ...toSummary(row),
    messages: withImages(messages.map(toMessage), images),
    running_stream_id: row.running_stream_id,
    system_prompt: row.system_prompt ?? null,
  };
}

/** A search result: the conversation, and the text around its best match (else its title). */
export function searchHitFromRow(row: ConversationRow, snippet: string | null): SearchHit {
  return { ...toSummary(row), snippet: snippet ?? row.title ?? "" };
}
