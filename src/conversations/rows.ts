/**
 * The SQLite tables' rows, and their API shapes: times are stored as epoch milliseconds (they
 * sort and compare as numbers) and served as ISO 8601.
 */
import type { ConversationSummary, Message, MessageStatus, Role } from "./store.ts";

export interface ConversationRow {
  id: string;
  title: string | null;
  created_at: number;
  updated_at: number;
  running_stream_id: string | null;
  /** The running answer's text at its last checkpoint. */
  running_content: string | null;
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
  return message;
}
