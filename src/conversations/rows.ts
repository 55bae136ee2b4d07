/**
 * The tables' rows, the same on SQLite and PostgreSQL (their migrations keep the columns alike),
 * and the one place that turns rows into what the API serves and new data into rows, so that
 * each engine's store holds only its SQL. Times are stored as epoch milliseconds (they sort and
 * compare as numbers) and served as ISO 8601.
 */
import type { FinishReason, ToolStep, Usage } from "../contract.ts";
import type { ConversationSummary } from "./conversation-list.ts";
import type { DocumentMediaType, DocumentRef } from "./documents.ts";
import type { ImageMediaType, ImageRef } from "./images.ts";
import type { ConversationState, ConversationUsage, MessageStatus, Role, SearchHit, StoredMessage } from "./store.ts";

export interface ConversationRow {
  id: string;
  title: string | null;
  created_at: number;
  updated_at: number;
  running_stream_id: string | null;
  /** The running answer's text at its last checkpoint (a continuation's new text only). */
  running_content: string | null;
  /** Its tool steps at that checkpoint (JSON). */
  running_tool_steps?: string | null;
  /** The question the running answer goes under. (Absent in rows built in code, as the rest below.) */
  running_parent_id?: string | null;
  /** Continue: the answer the running text is appended to. */
  running_continues_id?: string | null;
  running_model?: string | null;
  /** Custom instructions; null: the server's SYSTEM_PROMPT. */
  system_prompt?: string | null;
  /** The conversation's chosen model; null: the server's default. */
  model?: string | null;
  current_leaf_id?: string | null;
  /** Tools on (1) or off (0) for this conversation; null: TOOLS_DEFAULT. */
  tools?: number | null;
  /** What the conversation's answers cost (migration 11; absent in rows built in code). */
  usage_prompt_tokens?: number;
  usage_completion_tokens?: number;
  usage_estimated_tokens?: number;
}

/** A message as it is inserted: every column but `seq`, which the database numbers. */
export interface NewMessageRow {
  id: string;
  conversation_id: string;
  parent_id: string | null;
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
  model: string | null;
  /** An answer's tool steps, as JSON; null when it called none. */
  tool_steps: string | null;
  /** What the answer cost (usage/): null for a question, and an answer with nothing to count. */
  usage_prompt_tokens: number | null;
  usage_completion_tokens: number | null;
  /** 1: Sluice estimated the usage, the model reported none. */
  usage_estimated: number | null;
}

/** A stored message's row. */
export interface MessageRow extends NewMessageRow {
  seq: number;
}

/** What a store is given of a message to add: the rest (time, and an id unless given) is made here. */
export type NewMessage = Pick<
  StoredMessage,
  "role" | "content" | "status" | "error" | "figures" | "model" | "tool_steps" | "usage"
> & {
  parent_id: string | null;
  id?: string | undefined;
};

/** A row of message_images without its bytes. */
export interface ImageRefRow {
  id: string;
  message_id: string;
  media_type: ImageMediaType;
  size: number;
}

/** A row of message_documents without its text. */
export interface DocumentRefRow {
  id: string;
  message_id: string;
  name: string;
  media_type: DocumentMediaType;
  size: number;
  pages: number | null;
  characters: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The row of a new conversation, `title` or none yet, created now. */
export function newConversationRow(title: string | null, id: string = crypto.randomUUID()): ConversationRow {
  const now = Date.now();
  return {
    id,
    title,
    created_at: now,
    updated_at: now,
    running_stream_id: null,
    running_content: null,
  };
}

/** The row of a new message of `conversationId`, created now. */
export function newMessageRow(conversationId: string, message: NewMessage): NewMessageRow {
  const { error, figures } = message;
  return {
    id: message.id ?? crypto.randomUUID(),
    conversation_id: conversationId,
    parent_id: message.parent_id,
    role: message.role,
    content: message.content,
    status: message.status,
    ...errorColumns(error),
    created_at: Date.now(),
    ...figureColumns(figures),
    model: message.model ?? null,
    tool_steps: toolStepsColumn(message.tool_steps),
    ...usageColumns(message.usage),
  };
}

/** The usage columns of a message row. */
export function usageColumns(
  usage: Usage | undefined,
): Pick<NewMessageRow, "usage_prompt_tokens" | "usage_completion_tokens" | "usage_estimated"> {
  return {
    usage_prompt_tokens: usage?.prompt_tokens ?? null,
    usage_completion_tokens: usage?.completion_tokens ?? null,
    usage_estimated: usage ? Number(usage.estimated === true) : null,
  };
}

/** The tool steps column: JSON, or null for an answer without any. */
export function toolStepsColumn(steps: readonly ToolStep[] | undefined): string | null {
  return steps && steps.length > 0 ? JSON.stringify(steps) : null;
}

/** The error columns of a message row. */
export function errorColumns(
  error: StoredMessage["error"],
): Pick<NewMessageRow, "error_code" | "error_message" | "error_retryable"> {
  return {
    error_code: error?.code ?? null,
    error_message: error?.message ?? null,
    error_retryable: error ? Number(error.retryable) : null,
  };
}

/** The figure columns of a message row. */
export function figureColumns(
  figures: StoredMessage["figures"],
): Pick<NewMessageRow, "ttft_ms" | "total_ms" | "completion_tokens" | "finish_reason"> {
  return {
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

/** A conversation row's own fields as the API serves them. */
export function toState(row: ConversationRow): ConversationState {
  const running = row.running_stream_id !== null;
  return {
    ...toSummary(row),
    running_stream_id: row.running_stream_id,
    running_parent_id: running ? (row.running_parent_id ?? null) : null,
    running_continues_id: running ? (row.running_continues_id ?? null) : null,
    system_prompt: row.system_prompt ?? null,
    model: row.model ?? null,
    current_leaf_id: row.current_leaf_id ?? null,
    tools: row.tools == null ? null : Boolean(row.tools),
  };
}

/** What a conversation row says its answers cost. */
export function conversationUsageOf(row: ConversationRow): ConversationUsage {
  const prompt = row.usage_prompt_tokens ?? 0;
  const completion = row.usage_completion_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    estimated_tokens: row.usage_estimated_tokens ?? 0,
  };
}

/** A message row as the API serves it; `error` only when the answer failed. */
export function toMessage(row: MessageRow): StoredMessage {
  const { id, role, content, status } = row;
  const message: StoredMessage = {
    id,
    parent_id: row.parent_id ?? null,
    role,
    content,
    status,
    created_at: iso(row.created_at),
  };
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
  if (row.model) message.model = row.model;
  if (row.tool_steps) message.tool_steps = JSON.parse(row.tool_steps) as ToolStep[];
  if (row.usage_prompt_tokens != null) message.usage = usageOf(row);
  return message;
}

/** A row's usage as the API serves it (`estimated` only when it was). */
function usageOf(row: MessageRow): Usage {
  const prompt = row.usage_prompt_tokens ?? 0;
  const completion = row.usage_completion_tokens ?? 0;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (row.usage_estimated === 1) usage.estimated = true;
  return usage;
}

/** Each message's rows of `rows` (ordered by message, then position), as `toRef` makes them. */
function byMessage<R extends { message_id: string }, T>(rows: readonly R[], toRef: (row: R) => T): Map<string, T[]> {
  const found = new Map<string, T[]>();
  for (const row of rows) {
    const list = found.get(row.message_id) ?? [];
    list.push(toRef(row));
    found.set(row.message_id, list);
  }
  return found;
}

const documentRef = ({ id, name, media_type, size, pages, characters }: DocumentRefRow): DocumentRef => ({
  id,
  name,
  media_type,
  size,
  characters,
  ...(pages === null ? {} : { pages }),
});

/** The messages with their images and documents attached (rows ordered by message, then position). */
export function withAttachments(
  messages: StoredMessage[],
  images: ImageRefRow[],
  documents: DocumentRefRow[] = [],
): StoredMessage[] {
  const imagesOf = byMessage(images, ({ id, media_type, size }): ImageRef => ({ id, media_type, size }));
  const documentsOf = byMessage(documents, documentRef);
  for (const message of messages) {
    const imageList = imagesOf.get(message.id);
    if (imageList) message.images = imageList;
    const documentList = documentsOf.get(message.id);
    if (documentList) message.documents = documentList;
  }
  return messages;
}

/** The rows of `ids` as messages with their images and documents, in the order of `ids` (unknown ids left out). */
export function messagesInOrder(
  ids: readonly string[],
  rows: MessageRow[],
  images: ImageRefRow[],
  documents: DocumentRefRow[] = [],
): StoredMessage[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ordered = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toMessage(row)] : [];
  });
  return withAttachments(ordered, images, documents);
}

/** A search result: the conversation, the text around its best match (else its title), and that match's message. */
export function searchHitFromRow(row: ConversationRow, snippet: string | null, messageId: string | null): SearchHit {
  return { ...toSummary(row), snippet: snippet ?? row.title ?? "", message_id: messageId };
}
