/**
 * The rules of an exchange's writes, the same on every engine; each store reads the rows they
 * need inside its own transaction (where they cannot change before it writes), asks here what to
 * write, and writes it. Where a new question or answer goes in the tree, what Retry replaces, and
 * how a continuation is appended are decided here only.
 */
import type { ToolStep } from "../contract.ts";
import { ConversationBusyError, ConversationMovedError } from "../errors.ts";
import { refuseUnlessContinuable } from "./continuation.ts";
import type { ConversationRow } from "./conversation-rows.ts";
import {
  errorColumns,
  figureColumns,
  type MessageRow,
  type NewMessage,
  type NewMessageRow,
  newMessageRow,
  toolStepsColumn,
} from "./message-rows.ts";
import { retriesExchange } from "./retry.ts";
import { type AskStart, type ExchangeEnd, type ExchangeStart, MessageNotFoundError } from "./store.ts";

/** Whether an answer of the conversation is running (its exchange has begun and not finished). */
export function isAnswering(conversation: ConversationRow): boolean {
  return conversation.running_stream_id !== null;
}

/** Throws 409 `conversation_busy` while an answer of the conversation runs. */
export function refuseWhileAnswering(conversation: ConversationRow): void {
  // One exchange at a time: two at once would interleave their writes and their context.
  if (isAnswering(conversation)) throw new ConversationBusyError();
}

/** The message a start names: the answer continued, the question answered again, or an Edit's parent. */
export function namedBy(start: ExchangeStart): string | undefined {
  if ("continues" in start) return start.continues;
  if ("answers" in start) return start.answers;
  return start.parentId ?? undefined;
}

/** Whether the start asks after the current leaf (Ask or Retry), so the store reads the leaf and its parent. */
export function asksAfterLeaf(start: ExchangeStart): start is AskStart {
  return "userContent" in start && start.parentId === undefined;
}

/** What an engine has read, in the transaction, for {@link planExchange}. */
export interface ExchangeReads {
  conversation: ConversationRow;
  /** The row of {@link namedBy}'s message, when it names one and it is in the conversation. */
  named?: MessageRow | undefined;
  /** For Continue: whether anything was written under the answer since. */
  namedHasChildren?: boolean;
  /** For an Ask after the leaf: the current leaf and its parent. */
  leaf?: MessageRow | undefined;
  leafParent?: MessageRow | undefined;
}

/** What an exchange's start writes. */
export interface ExchangePlan {
  /** The failed answer a Retry replaces (deleted). */
  remove?: string;
  /** The new question (its images and documents go with it). */
  question?: NewMessageRow;
  /** The question the running answer goes under. */
  runningParentId: string | null;
  /** Continue: the answer the running text is appended to. */
  runningContinuesId: string | null;
  /** The conversation's current leaf while the answer runs. */
  leaf: string;
}

/** Where `start` puts its question and its answer; throws what refuses it (404, 400, 409). */
export function planExchange(conversationId: string, start: ExchangeStart, reads: ExchangeReads): ExchangePlan {
  const { conversation, named } = reads;
  refuseWhileAnswering(conversation);
  if ("continues" in start) {
    if (named?.role !== "assistant") throw new MessageNotFoundError(start.continues);
    refuseUnlessContinuable(named, named.finish_reason);
    if (reads.namedHasChildren) throw new ConversationMovedError(conversation.current_leaf_id ?? null);
    return { runningParentId: named.parent_id, runningContinuesId: named.id, leaf: named.id };
  }
  if ("answers" in start) {
    if (named?.role !== "user") throw new MessageNotFoundError(start.answers);
    return { runningParentId: named.id, runningContinuesId: null, leaf: named.id };
  }
  if (start.parentId !== undefined && start.parentId !== null && !named) throw new MessageNotFoundError(start.parentId);
  if (start.parentId === undefined) {
    const leaf = conversation.current_leaf_id ?? null;
    if (start.expectedLeaf !== undefined && start.expectedLeaf !== leaf) throw new ConversationMovedError(leaf);
    const { leaf: answer, leafParent: asked } = reads;
    const withAttachments = (start.images?.length ?? 0) + (start.documents?.length ?? 0) > 0;
    if (answer && asked && retriesExchange(asked, answer, start.userContent, withAttachments))
      return { remove: answer.id, runningParentId: asked.id, runningContinuesId: null, leaf: asked.id };
  }
  const parent = start.parentId === undefined ? (conversation.current_leaf_id ?? null) : start.parentId;
  const question = newMessageRow(conversationId, questionOf(start, parent));
  return { question, runningParentId: question.id, runningContinuesId: null, leaf: question.id };
}

/** The question an exchange stores before its answer runs. */
function questionOf(start: AskStart, parentId: string | null): NewMessage {
  return { id: start.questionId, parent_id: parentId, role: "user", content: start.userContent, status: "complete" };
}

/** Where an exchange's end writes: under which question, or onto which answer; undefined: nothing to write. */
export function placeAnswer(
  conversation: ConversationRow,
  end: ExchangeEnd,
): { parentId: string | null } | { continues: string } | undefined {
  const ours = conversation.running_stream_id === end.streamId;
  const continues = end.continues ?? (ours ? conversation.running_continues_id : null);
  // A continuation already ended by recovery (another instance thought this one dead) has its
  // text; one that failed before any text leaves its answer as it was (the error was shown live).
  if (continues) return ours && !(end.status === "error" && end.content === "") ? { continues } : undefined;
  const parentId = end.parentId ?? (ours ? conversation.running_parent_id : undefined) ?? conversation.current_leaf_id;
  return { parentId: parentId ?? null };
}

/** The answer an exchange stores when it ends, under `parentId`. */
export function answerOf(conversationId: string, end: ExchangeEnd, parentId: string | null): NewMessageRow {
  const { content, status, error, figures, model, usage, answerId } = end;
  return newMessageRow(conversationId, {
    id: answerId,
    parent_id: parentId,
    role: "assistant",
    content,
    status,
    error,
    figures,
    model,
    usage,
    tool_steps: end.toolSteps,
  });
}

/** The columns of `answer` once `end`'s text is appended: figures summed, the end's status and reason. */
export function continuedAnswer(answer: MessageRow, end: Omit<ExchangeEnd, "streamId">) {
  const added = end.figures;
  const { ttft_ms, total_ms, completion_tokens, finish_reason } = answer;
  return {
    content: answer.content + end.content,
    status: end.status,
    ...errorColumns(end.error),
    // A continuation that reported no figures (it failed) keeps those of the part before it.
    ...(added
      ? figureColumns({
          ttft_ms: ttft_ms ?? added.ttft_ms,
          total_ms: (total_ms ?? 0) + added.total_ms,
          completion_tokens: (completion_tokens ?? 0) + added.completion_tokens,
          finish_reason: added.finish_reason,
        })
      : { ttft_ms, total_ms, completion_tokens, finish_reason }),
    model: end.model ?? answer.model,
    tool_steps: continuedSteps(answer, end),
    ...summedUsage(answer, end),
  };
}

/** The usage columns of an answer once a continuation's usage is added to its own. */
function summedUsage(answer: MessageRow, end: Omit<ExchangeEnd, "streamId">) {
  const added = end.usage;
  const { usage_prompt_tokens, usage_completion_tokens, usage_estimated } = answer;
  if (!added) return { usage_prompt_tokens, usage_completion_tokens, usage_estimated };
  return {
    usage_prompt_tokens: (usage_prompt_tokens ?? 0) + added.prompt_tokens,
    usage_completion_tokens: (usage_completion_tokens ?? 0) + added.completion_tokens,
    usage_estimated: Number(usage_estimated === 1 || added.estimated === true),
  };
}

/** What an exchange's end adds to its conversation's usage: every answer counts, kept or not. */
export function conversationUsageAdded(end: Pick<ExchangeEnd, "usage">) {
  const usage = end.usage;
  return {
    prompt: usage?.prompt_tokens ?? 0,
    completion: usage?.completion_tokens ?? 0,
    estimated: usage?.estimated ? usage.prompt_tokens + usage.completion_tokens : 0,
  };
}

/** The answer's tool steps, then the continuation's, placed after the text they follow. */
function continuedSteps(answer: MessageRow, end: Omit<ExchangeEnd, "streamId">): string | null {
  const added = end.toolSteps ?? [];
  if (added.length === 0) return answer.tool_steps;
  const before: ToolStep[] = answer.tool_steps ? JSON.parse(answer.tool_steps) : [];
  const shift = answer.content.length;
  return toolStepsColumn([...before, ...added.map((step) => ({ ...step, offset: step.offset + shift }))]);
}

/** The end of an exchange cut off by a previous process: the text of its last checkpoint. */
export function interruptedEnd(conversation: ConversationRow): ExchangeEnd {
  return {
    streamId: conversation.running_stream_id ?? "",
    content: conversation.running_content ?? "",
    toolSteps: conversation.running_tool_steps
      ? (JSON.parse(conversation.running_tool_steps) as ToolStep[])
      : undefined,
    status: "interrupted",
    model: conversation.running_model ?? undefined,
  };
}

/** The current leaf once an answer is written under `parentId`: the answer, if the leaf was still its question. */
export function leafAfterAnswer(
  conversation: ConversationRow,
  parentId: string | null,
  answerId: string,
): string | null {
  const leaf = conversation.current_leaf_id ?? null;
  return leaf === parentId ? answerId : leaf;
}
