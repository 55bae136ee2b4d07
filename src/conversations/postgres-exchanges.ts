/**
 * The writes of an exchange on PostgreSQL: sqlite-exchanges.ts's, with the same rules
 * (exchange-rules.ts). Each runs in one transaction, holding its conversation's row lock where
 * SQLite holds its one write lock.
 */
import type { Sql, TransactionSql } from "postgres";
import type { ConversationRow } from "./conversation-rows.ts";
import * as rules from "./exchange-rules.ts";
import { toolStepsColumn } from "./message-rows.ts";
import { conversationRow, insertMessage, inTransaction, messageRow } from "./postgres-database.ts";
import { insertDocuments } from "./postgres-documents.ts";
import { rethrowAsStoreError } from "./postgres-errors.ts";
import { insertImages } from "./postgres-images.ts";
import { searchWords } from "./search-words.ts";
import type { AnswerCheckpoint, ExchangeEnd, ExchangeStart } from "./store.ts";

/** What planning `start` needs, read in the transaction. */
async function readsFor(tx: TransactionSql, conversation: ConversationRow, start: ExchangeStart) {
  const named = await messageRow(tx, conversation.id, rules.namedBy(start));
  const reads: rules.ExchangeReads = { conversation, named };
  if ("continues" in start && named)
    reads.namedHasChildren = (await tx`SELECT 1 FROM messages WHERE parent_id = ${named.id} LIMIT 1`).length > 0;
  if (rules.asksAfterLeaf(start)) {
    reads.leaf = await messageRow(tx, conversation.id, conversation.current_leaf_id);
    reads.leafParent = await messageRow(tx, conversation.id, reads.leaf?.parent_id);
  }
  return reads;
}

/** ConversationStore.beginExchange on `sql`. */
export function beginExchange(sql: Sql, owner: string, conversationId: string, start: ExchangeStart) {
  return inTransaction(sql, async (tx) => {
    const conversation = await conversationRow(tx, owner, conversationId, true);
    if (!conversation) return false;
    const plan = rules.planExchange(conversationId, start, await readsFor(tx, conversation, start));
    if (plan.remove) await tx`DELETE FROM messages WHERE id = ${plan.remove}`;
    if (plan.question) {
      await insertMessage(tx, plan.question);
      await insertImages(tx, conversationId, plan.question.id, ("images" in start && start.images) || []);
      await insertDocuments(tx, conversationId, plan.question.id, ("documents" in start && start.documents) || []);
    }
    // The right-hand sides read the row as it was: title_words follows only a title set here.
    await tx`UPDATE conversations SET running_stream_id = ${start.streamId}, running_content = NULL,
        running_tool_steps = NULL,
        running_parent_id = ${plan.runningParentId}, running_continues_id = ${plan.runningContinuesId},
        running_model = ${start.model ?? null}, current_leaf_id = ${plan.leaf},
        updated_at = ${Date.now()}, title = COALESCE(title, ${start.title}),
        title_words = CASE WHEN title IS NULL THEN ${searchWords(start.title)} ELSE title_words END
      WHERE id = ${conversationId}`;
    return true;
  });
}

/** Writes `end`'s answer where exchange-rules.ts places it. */
async function writeAnswer(tx: TransactionSql, conversation: ConversationRow, end: ExchangeEnd): Promise<void> {
  const place = rules.placeAnswer(conversation, end);
  if (!place) return;
  if ("continues" in place) {
    const answer = await messageRow(tx, conversation.id, place.continues);
    if (!answer) return;
    const columns = rules.continuedAnswer(answer, end);
    await tx`UPDATE messages SET ${tx({ ...columns, search_words: searchWords(columns.content) })}
      WHERE id = ${answer.id}`;
    return;
  }
  // Its question deleted meanwhile (after a recovery ended the exchange): nothing to hang it under.
  if (place.parentId !== null && !(await messageRow(tx, conversation.id, place.parentId))) return;
  const answer = rules.answerOf(conversation.id, end, place.parentId);
  await insertMessage(tx, answer);
  const leaf = rules.leafAfterAnswer(conversation, place.parentId, answer.id);
  await tx`UPDATE conversations SET current_leaf_id = ${leaf} WHERE id = ${conversation.id}`;
}

/** ConversationStore.finishExchange on `sql`. */
export function finishExchange(sql: Sql, owner: string, conversationId: string, end: ExchangeEnd) {
  return inTransaction(sql, async (tx) => {
    const conversation = await conversationRow(tx, owner, conversationId, true);
    if (!conversation) return false;
    await writeAnswer(tx, conversation, end);
    const added = rules.conversationUsageAdded(end);
    // Only clear our own stream: a newer exchange may already have replaced it.
    await tx`UPDATE conversations SET updated_at = ${Date.now()},
        running_content = CASE WHEN running_stream_id = ${end.streamId} THEN NULL ELSE running_content END,
        running_stream_id = CASE WHEN running_stream_id = ${end.streamId} THEN NULL ELSE running_stream_id END,
        usage_prompt_tokens = usage_prompt_tokens + ${added.prompt},
        usage_completion_tokens = usage_completion_tokens + ${added.completion},
        usage_estimated_tokens = usage_estimated_tokens + ${added.estimated}
      WHERE id = ${conversationId}`;
    return true;
  });
}

/** ConversationStore.checkpointAnswers on `sql`. */
export function checkpointAnswers(sql: Sql, checkpoints: AnswerCheckpoint[]): Promise<number> {
  return inTransaction(sql, async (tx) => {
    let stored = 0;
    for (const { conversationId, streamId, content, toolSteps } of checkpoints) {
      const steps = toolStepsColumn(toolSteps);
      const result = await tx`UPDATE conversations SET running_content = ${content}, running_tool_steps = ${steps}
        WHERE id = ${conversationId} AND running_stream_id = ${streamId}`;
      stored += result.count;
    }
    return stored;
  });
}

/** ConversationStore.recoverInterrupted on `sql`. */
export async function recoverInterrupted(sql: Sql, streamIds?: string[]): Promise<number> {
  if (streamIds?.length === 0) return 0;
  return inTransaction(sql, async (tx) => {
    const only = streamIds ? tx`AND running_stream_id IN ${tx(streamIds)}` : tx``;
    const running = await tx<ConversationRow[]>`
      SELECT * FROM conversations WHERE running_stream_id IS NOT NULL ${only} FOR UPDATE`;
    for (const conversation of running) await writeAnswer(tx, conversation, rules.interruptedEnd(conversation));
    if (running.length === 0) return 0;
    await tx`UPDATE conversations SET running_stream_id = NULL, running_content = NULL
      WHERE id IN ${tx(running.map((row) => row.id))}`;
    return running.length;
  });
}

/** ConversationStore.runningStreamIds on `sql`. */
export async function runningStreamIds(sql: Sql): Promise<string[]> {
  const rows = await sql<{ running_stream_id: string }[]>`
    SELECT running_stream_id FROM conversations WHERE running_stream_id IS NOT NULL`.catch(rethrowAsStoreError);
  return rows.map((row) => row.running_stream_id);
}
