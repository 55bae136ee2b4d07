/**
 * A conversation's row, the same on SQLite and PostgreSQL (their migrations keep the columns
 * alike), and what turns it into what the API serves, so that each engine's store holds only its
 * SQL. Times are stored as epoch milliseconds (they sort and compare as numbers) and served as
 * ISO 8601. Messages' rows are in message-rows.ts, their images' and documents' in attachment-rows.ts.
 */
import type { ConversationSummary } from "./conversation-list.ts";
import type { ConversationState, ConversationUsage, SearchHit } from "./store.ts";

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

/** A stored time (epoch milliseconds) as the API serves it. */
export const iso = (ms: number) => new Date(ms).toISOString();

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

/** A search result: the conversation, the text around its best match (else its title), and that match's message. */
export function searchHitFromRow(row: ConversationRow, snippet: string | null, messageId: string | null): SearchHit {
  return { ...toSummary(row), snippet: snippet ?? row.title ?? "", message_id: messageId };
}
