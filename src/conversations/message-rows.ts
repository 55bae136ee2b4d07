/**
 * A message's row both ways: what a store inserts for a new message, and a stored row as the API
 * serves it, its error, figures, tool steps and usage in columns of their own.
 */
import type { FinishReason, ToolStep, Usage } from "../contract.ts";
import { iso } from "./conversation-rows.ts";
import type { MessageStatus, Role, StoredMessage } from "./store.ts";

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
