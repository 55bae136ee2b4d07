/**
 * The writes of an exchange on SQLite: its question, its answer (or a continuation appended to
 * one), a running answer's checkpoints, and the answers a previous process cut off. Each runs in
 * one write transaction; the rules are exchange-rules.ts's, the same on PostgreSQL.
 */
import type { DatabaseSync } from "node:sqlite";
import type { ConversationRow } from "./conversation-rows.ts";
import * as rules from "./exchange-rules.ts";
import { toolStepsColumn } from "./message-rows.ts";
import { conversationRow, insertMessage, inTransaction, messageRow } from "./sqlite-database.ts";
import { insertDocuments } from "./sqlite-documents.ts";
import { insertImages } from "./sqlite-images.ts";
import type { AnswerCheckpoint, ExchangeEnd, ExchangeStart } from "./store.ts";

/** What planning `start` needs, read in the transaction. */
function readsFor(db: DatabaseSync, conversation: ConversationRow, start: ExchangeStart): rules.ExchangeReads {
  const named = messageRow(db, conversation.id, rules.namedBy(start));
  const reads: rules.ExchangeReads = { conversation, named };
  if ("continues" in start && named)
    reads.namedHasChildren =
      db.prepare("SELECT 1 FROM messages WHERE parent_id = ? LIMIT 1").get(named.id) !== undefined;
  if (rules.asksAfterLeaf(start)) {
    reads.leaf = messageRow(db, conversation.id, conversation.current_leaf_id);
    reads.leafParent = messageRow(db, conversation.id, reads.leaf?.parent_id);
  }
  return reads;
}

/** ConversationStore.beginExchange on `db`. */
export function beginExchange(db: DatabaseSync, owner: string, conversationId: string, start: ExchangeStart): boolean {
  return inTransaction(db, () => {
    const conversation = conversationRow(db, owner, conversationId);
    if (!conversation) return false;
    const plan = rules.planExchange(conversationId, start, readsFor(db, conversation, start));
    if (plan.remove) db.prepare("DELETE FROM messages WHERE id = ?").run(plan.remove);
    if (plan.question) {
      insertMessage(db, plan.question);
      insertImages(db, conversationId, plan.question.id, ("images" in start && start.images) || []);
      insertDocuments(db, conversationId, plan.question.id, ("documents" in start && start.documents) || []);
    }
    db.prepare(
      `UPDATE conversations SET running_stream_id = ?, running_content = NULL, running_tool_steps = NULL,
         running_parent_id = ?,
         running_continues_id = ?, running_model = ?, current_leaf_id = ?, updated_at = ?,
         title = COALESCE(title, ?) WHERE id = ?`,
    ).run(
      start.streamId,
      plan.runningParentId,
      plan.runningContinuesId,
      start.model ?? null,
      plan.leaf,
      Date.now(),
      start.title,
      conversationId,
    );
    return true;
  });
}

/** Writes `end`'s answer where exchange-rules.ts places it. */
function writeAnswer(db: DatabaseSync, conversation: ConversationRow, end: ExchangeEnd): void {
  const place = rules.placeAnswer(conversation, end);
  if (!place) return;
  if ("continues" in place) {
    const answer = messageRow(db, conversation.id, place.continues);
    if (!answer) return;
    db.prepare(
      `UPDATE messages SET content = :content, status = :status, error_code = :error_code,
         error_message = :error_message, error_retryable = :error_retryable, ttft_ms = :ttft_ms,
         total_ms = :total_ms, completion_tokens = :completion_tokens, finish_reason = :finish_reason,
         model = :model, tool_steps = :tool_steps, usage_prompt_tokens = :usage_prompt_tokens,
         usage_completion_tokens = :usage_completion_tokens, usage_estimated = :usage_estimated WHERE id = :id`,
    ).run({ ...rules.continuedAnswer(answer, end), id: answer.id });
    return;
  }
  // Its question deleted meanwhile (after a recovery ended the exchange): nothing to hang it under.
  if (place.parentId !== null && !messageRow(db, conversation.id, place.parentId)) return;
  const answer = rules.answerOf(conversation.id, end, place.parentId);
  insertMessage(db, answer);
  const leaf = rules.leafAfterAnswer(conversation, place.parentId, answer.id);
  db.prepare("UPDATE conversations SET current_leaf_id = ? WHERE id = ?").run(leaf, conversation.id);
}

/** ConversationStore.finishExchange on `db`. */
export function finishExchange(db: DatabaseSync, owner: string, conversationId: string, end: ExchangeEnd): boolean {
  return inTransaction(db, () => {
    const conversation = conversationRow(db, owner, conversationId);
    if (!conversation) return false;
    writeAnswer(db, conversation, end);
    const added = rules.conversationUsageAdded(end);
    // Only clear our own stream: a newer exchange may already have replaced it.
    db.prepare(
      `UPDATE conversations SET updated_at = ?,
         running_content = CASE WHEN running_stream_id = ? THEN NULL ELSE running_content END,
         running_stream_id = CASE WHEN running_stream_id = ? THEN NULL ELSE running_stream_id END,
         usage_prompt_tokens = usage_prompt_tokens + ?, usage_completion_tokens = usage_completion_tokens + ?,
         usage_estimated_tokens = usage_estimated_tokens + ?
       WHERE id = ?`,
    ).run(Date.now(), end.streamId, end.streamId, added.prompt, added.completion, added.estimated, conversationId);
    return true;
  });
}

/** ConversationStore.checkpointAnswers on `db`. */
export function checkpointAnswers(db: DatabaseSync, checkpoints: AnswerCheckpoint[]): number {
  return inTransaction(db, () => {
    const update = db.prepare(
      "UPDATE conversations SET running_content = ?, running_tool_steps = ? WHERE id = ? AND running_stream_id = ?",
    );
    let stored = 0;
    for (const { conversationId, streamId, content, toolSteps } of checkpoints)
      stored += Number(update.run(content, toolStepsColumn(toolSteps), conversationId, streamId).changes);
    return stored;
  });
}

/** ConversationStore.recoverInterrupted on `db`. */
export function recoverInterrupted(db: DatabaseSync, streamIds?: string[]): number {
  return inTransaction(db, () => {
    const running = (
      db
        .prepare("SELECT * FROM conversations WHERE running_stream_id IS NOT NULL")
        .all() as unknown as ConversationRow[]
    ).filter((row) => streamIds === undefined || streamIds.includes(row.running_stream_id as string));
    const clear = db.prepare(
      "UPDATE conversations SET running_stream_id = NULL, running_content = NULL WHERE id = ? AND running_stream_id = ?",
    );
    for (const conversation of running) {
      writeAnswer(db, conversation, rules.interruptedEnd(conversation));
      clear.run(conversation.id, conversation.running_stream_id);
    }
    return running.length;
  });
}

/** ConversationStore.runningStreamIds on `db`. */
export function runningStreamIds(db: DatabaseSync): string[] {
  const rows = db
    .prepare("SELECT running_stream_id FROM conversations WHERE running_stream_id IS NOT NULL")
    .all() as unknown as { running_stream_id: string }[];
  return rows.map((row) => row.running_stream_id);
}
