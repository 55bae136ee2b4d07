/**
 * The writes of an exchange on SQLite: its question, its answer, a running answer's checkpoints,
 * Regenerate and Edit's removal of later turns, and the answers a previous process cut off.
 * Each runs in one write transaction; the rules are exchange-rules.ts's, the same on PostgreSQL.
 */
import type { DatabaseSync } from "node:sqlite";
import * as rules from "./exchange-rules.ts";
import { type MessageRow, newMessageRow } from "./rows.ts";
import { conversationRow, insertMessage, inTransaction } from "./sqlite-database.ts";
import { insertImages } from "./sqlite-images.ts";
import type { AnswerCheckpoint, ExchangeEnd, ExchangeStart } from "./store.ts";

/** ConversationStore.beginExchange on `db`. */
export function beginExchange(db: DatabaseSync, owner: string, conversationId: string, start: ExchangeStart): boolean {
  return inTransaction(db, () => {
    const conversation = conversationRow(db, owner, conversationId);
    if (!conversation) return false;
    rules.refuseWhileAnswering(conversation);
    const lastTwo = db
      .prepare("SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT 2")
      .all(conversationId) as unknown as MessageRow[];
    const retried = rules.answerRetriedBy(lastTwo, start);
    if (retried) db.prepare("DELETE FROM messages WHERE seq = ?").run(retried.seq);
    else {
      const question = newMessageRow(conversationId, rules.questionOf(start));
      insertMessage(db, question);
      insertImages(db, conversationId, question.id, start.images ?? []);
    }
    db.prepare(
      `UPDATE conversations SET running_stream_id = ?, running_content = NULL, updated_at = ?,
         title = COALESCE(title, ?) WHERE id = ?`,
    ).run(start.streamId, Date.now(), start.title, conversationId);
    return true;
  });
}

/** ConversationStore.finishExchange on `db`. */
export function finishExchange(db: DatabaseSync, owner: string, conversationId: string, end: ExchangeEnd): boolean {
  return inTransaction(db, () => {
    if (!conversationRow(db, owner, conversationId)) return false;
    insertMessage(db, newMessageRow(conversationId, rules.answerOf(end)));
    // Only clear our own stream: a newer exchange may already have replaced it.
    db.prepare(
      `UPDATE conversations SET updated_at = ?,
         running_content = CASE WHEN running_stream_id = ? THEN NULL ELSE running_content END,
         running_stream_id = CASE WHEN running_stream_id = ? THEN NULL ELSE running_stream_id END
       WHERE id = ?`,
    ).run(Date.now(), end.streamId, end.streamId, conversationId);
    return true;
  });
}

/** ConversationStore.truncateAfter on `db`. */
export function truncateAfter(db: DatabaseSync, owner: string, conversationId: string, messageId: string | null) {
  return inTransaction(db, () => {
    const conversation = conversationRow(db, owner, conversationId);
    if (!conversation || rules.isAnswering(conversation)) return false;
    const kept =
      messageId === null
        ? { seq: 0 }
        : (db.prepare("SELECT seq FROM messages WHERE id = ? AND conversation_id = ?").get(messageId, conversationId) as
            | { seq: number }
            | undefined);
    if (!kept) return false;
    db.prepare("DELETE FROM messages WHERE conversation_id = ? AND seq > ?").run(conversationId, kept.seq);
    return true;
  });
}

/** ConversationStore.checkpointAnswers on `db`. */
export function checkpointAnswers(db: DatabaseSync, checkpoints: AnswerCheckpoint[]): number {
  return inTransaction(db, () => {
    const update = db.prepare("UPDATE conversations SET running_content = ? WHERE id = ? AND running_stream_id = ?");
    let stored = 0;
    for (const { conversationId, streamId, content } of checkpoints)
      stored += Number(update.run(content, conversationId, streamId).changes);
    return stored;
  });
}

/** ConversationStore.recoverInterrupted on `db`. */
export function recoverInterrupted(db: DatabaseSync, streamIds?: string[]): number {
  return inTransaction(db, () => {
    const running = (
      db
        .prepare("SELECT id, running_stream_id, running_content FROM conversations WHERE running_stream_id IS NOT NULL")
        .all() as unknown as { id: string; running_stream_id: string; running_content: string | null }[]
    ).filter((row) => streamIds === undefined || streamIds.includes(row.running_stream_id));
    const clear = db.prepare(
      "UPDATE conversations SET running_stream_id = NULL, running_content = NULL WHERE id = ? AND running_stream_id = ?",
    );
    for (const { id, running_stream_id, running_content } of running) {
      insertMessage(db, newMessageRow(id, rules.interruptedAnswer(running_content)));
      clear.run(id, running_stream_id);
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
