/**
 * The writes of an exchange on PostgreSQL: sqlite-exchanges.ts's, with the same rules
 * (exchange-rules.ts). Each runs in one transaction, holding its conversation's row lock where
 * SQLite holds its one write lock.
 */
import type { Sql } from "postgres";
import * as rules from "./exchange-rules.ts";
import { conversationRow, insertMessage, inTransaction } from "./postgres-database.ts";
import { rethrowAsStoreError } from "./postgres-errors.ts";
import { insertImages } from "./postgres-images.ts";
import { type MessageRow, newMessageRow } from "./rows.ts";
import { searchWords } from "./search-words.ts";
import type { AnswerCheckpoint, ExchangeEnd, ExchangeStart } from "./store.ts";

/** ConversationStore.beginExchange on `sql`. */
export function beginExchange(sql: Sql, owner: string, conversationId: string, start: ExchangeStart) {
  return inTransaction(sql, async (tx) => {
    const conversation = await conversationRow(tx, owner, conversationId, true);
    if (!conversation) return false;
    rules.refuseWhileAnswering(conversation);
    const lastTwo = await tx<MessageRow[]>`
      SELECT * FROM messages WHERE conversation_id = ${conversationId} ORDER BY seq DESC LIMIT 2`;
    const retried = rules.answerRetriedBy(lastTwo, start);
    if (retried) await tx`DELETE FROM messages WHERE seq = ${retried.seq}`;
    else {
      const question = newMessageRow(conversationId, rules.questionOf(start));
      await insertMessage(tx, question);
      await insertImages(tx, conversationId, question.id, start.images ?? []);
    }
    // The right-hand sides read the row as it was: title_words follows only a title set here.
    await tx`UPDATE conversations SET running_stream_id = ${start.streamId}, running_content = NULL,
        updated_at = ${Date.now()}, title = COALESCE(title, ${start.title}),
        title_words = CASE WHEN title IS NULL THEN ${searchWords(start.title)} ELSE title_words END
      WHERE id = ${conversationId}`;
    return true;
  });
}

/** ConversationStore.finishExchange on `sql`. */
export function finishExchange(sql: Sql, owner: string, conversationId: string, end: ExchangeEnd) {
  return inTransaction(sql, async (tx) => {
    if (!(await conversationRow(tx, owner, conversationId, true))) return false;
    await insertMessage(tx, newMessageRow(conversationId, rules.answerOf(end)));
    // Only clear our own stream: a newer exchange may already have replaced it.
    await tx`UPDATE conversations SET updated_at = ${Date.now()},
        running_content = CASE WHEN running_stream_id = ${end.streamId} THEN NULL ELSE running_content END,
        running_stream_id = CASE WHEN running_stream_id = ${end.streamId} THEN NULL ELSE running_stream_id END
      WHERE id = ${conversationId}`;
    return true;
  });
}

/** ConversationStore.truncateAfter on `sql`. */
export function truncateAfter(sql: Sql, owner: string, conversationId: string, messageId: string | null) {
  return inTransaction(sql, async (tx) => {
    const conversation = await conversationRow(tx, owner, conversationId, true);
    if (!conversation || rules.isAnswering(conversation)) return false;
    const [kept] =
      messageId === null
        ? [{ seq: 0 }]
        : await tx<{ seq: number }[]>`
            SELECT seq FROM messages WHERE id = ${messageId} AND conversation_id = ${conversationId}`;
    if (!kept) return false;
    await tx`DELETE FROM messages WHERE conversation_id = ${conversationId} AND seq > ${kept.seq}`;
    return true;
  });
}

/** ConversationStore.checkpointAnswers on `sql`. */
export function checkpointAnswers(sql: Sql, checkpoints: AnswerCheckpoint[]): Promise<number> {
  return inTransaction(sql, async (tx) => {
    let stored = 0;
    for (const { conversationId, streamId, content } of checkpoints) {
      const result = await tx`UPDATE conversations SET running_content = ${content}
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
    const running = await tx<{ id: string; running_content: string | null }[]>`
      SELECT id, running_content FROM conversations WHERE running_stream_id IS NOT NULL ${only} FOR UPDATE`;
    for (const { id, running_content } of running)
      await insertMessage(tx, newMessageRow(id, rules.interruptedAnswer(running_content)));
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
