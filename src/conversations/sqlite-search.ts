/**
 * Full-text search over one user's conversations, on the FTS5 tables of migration 3: a
 * conversation matches when its title or any of its messages holds every word typed. FTS5 is
 * built into the SQLite of both runtimes (`node:sqlite` on Bun and on Deno).
 */
import type { DatabaseSync } from "node:sqlite";
import { type ConversationRow, searchHitFromRow } from "./rows.ts";
import type { SearchHit } from "./store.ts";

// More words than this narrow nothing a person would notice and only cost the query.
const MAX_WORDS = 12;

/**
 * The words of `text` as an FTS5 query: each one quoted (so `AND`, `NEAR`, `*` or `"` typed by
 * a user are text, never query syntax) and the last one a prefix, because the box searches as
 * the user types. Empty when `text` has no word at all.
 */
export function toMatchQuery(text: string): string {
  // unicode61 splits on everything but letters and digits; the same split here keeps both sides alike.
  const words = text.match(/[\p{L}\p{N}\p{M}]+/gu)?.slice(0, MAX_WORDS) ?? [];
  return words.map((word, index) => `"${word}"${index === words.length - 1 ? "*" : ""}`).join(" ");
}

// The best-ranked matching message gives the snippet: ~12 words around the hit, "…" where cut.
// CROSS JOIN keeps SQLite's join order: the conversation's few messages first, each looked up in
// the index by rowid; the other way round, a common word walked every match of every user for
// each result (the search benchmark of README's "Conversations" measures both).
const SEARCH_SQL = `
  WITH matched (id) AS MATERIALIZED (
    SELECT conversation_id FROM titles_fts WHERE titles_fts MATCH :q
    UNION
    SELECT m.conversation_id FROM messages_fts JOIN messages m ON m.seq = messages_fts.rowid
     WHERE messages_fts MATCH :q
  )
  SELECT c.*, (
      SELECT snippet(messages_fts, 0, '', '', '…', 12) FROM messages m
        CROSS JOIN messages_fts ON messages_fts.rowid = m.seq
       WHERE m.conversation_id = c.id AND messages_fts MATCH :q
       ORDER BY messages_fts.rank LIMIT 1
    ) AS snippet
    FROM conversations c
   WHERE c.owner = :owner AND c.id IN matched
   ORDER BY c.updated_at DESC, c.id DESC
   LIMIT :n`;

/** `owner`'s conversations matching `text`, most recently updated first, at most `limit`. */
export function searchConversations(db: DatabaseSync, owner: string, text: string, limit: number): SearchHit[] {
  const q = toMatchQuery(text);
  if (!q) return [];
  const rows = db.prepare(SEARCH_SQL).all({ q, owner, n: limit }) as unknown as (ConversationRow & {
    snippet: string | null;
  })[];
  return rows.map((row) => searchHitFromRow(row, row.snippet));
}
