/**
 * The SQLite tables' rows, and their API shapes: times are stored as epoch milliseconds (they
 * sort and compare as numbers) and served as ISO 8601.
 */
import type { FinishReason } from "../contract.ts";
import type { ImageMediaType, ImageRef } from "./images.ts";
import type { ConversationSummary, Message, MessageStatus, Role } from "./store.ts";

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

export interface MessageRow {
  seq: number;
  id: string;
  role: Role;
  content: string;
  status: MessageStatus;
  error_code: string | null;
  error_message: string | null;
  error_retryable: number | null;
  created_at: number;
  ttft_ms?: number | null;
  total_ms?: number | null;
  completion_tokens?: number | null;
  finish_reason?: FinishReason | null;
}

/** A row of message_images without its bytes. */
export interface ImageRefRow {
  id: string;
  message_id: string;
  media_type: ImageMediaType;
  size: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

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
