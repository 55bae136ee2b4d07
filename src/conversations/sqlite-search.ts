/**
 * Full-text search over one user's conversations, on the FTS5 tables of migration 4: a
 * conversation matches when its title or any of its messages holds every word typed. FTS5 is
 * built into the SQLite of both runtimes (`node:sqlite` on Bun and on Deno).
 *
 * The index finds the matching messages; the page and its snippets are made from them in
 * JavaScript. FTS5's own snippet() and rank reload every query word's whole position list for
 * each conversation they look at, which for common words costs more than the search itself.
 * Rows are read one at a time, so a search past its deadline stops between two of them.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type ConversationRow, searchHitFromRow } from "./conversation-rows.ts";
import { MAX_QUERY_WORDS, queryWords, snippetAround } from "./search-words.ts";
import type { SearchHit } from "./store.ts";
import { SearchTimeoutError } from "./store-errors.ts";

/**
 * The words of `text` as an FTS5 query: each one quoted (so `AND`, `NEAR`, `*` or `"` typed by
 * a user are text, never query syntax) and the last one a prefix, because the box searches as
 * the user types. Empty when `text` has no word at all.
 */
export function toMatchQuery(text: string): string {
  // unicode61 splits on everything but letters, digits and marks; the same split here keeps both
  // sides alike, and no word can hold the `"` that would end its quotes.
  const words = text.match(/[\p{L}\p{N}\p{M}]+/gu)?.slice(0, MAX_QUERY_WORDS) ?? [];
  return words.map((word, index) => `"${word}"${index === words.length - 1 ? "*" : ""}`).join(" ");
}

// The FTS table first (CROSS JOIN keeps that order): the index yields the matching rows, each
// then looked up by primary key and kept only when it is the caller's.
const MESSAGE_MATCHES = `
  SELECT c.id, c.updated_at, m.seq FROM messages_fts
   CROSS JOIN messages m ON m.seq = messages_fts.rowid
   CROSS JOIN conversations c ON c.id = m.conversation_id
   WHERE messages_fts MATCH :q AND c.owner = :owner`;
const TITLE_MATCHES = `
  SELECT c.id, c.updated_at, NULL AS seq FROM titles_fts
   CROSS JOIN conversations c ON c.id = titles_fts.conversation_id
   WHERE titles_fts MATCH :q AND c.owner = :owner`;

interface Match {
  id: string;
  updated_at: number;
  /** The newest matching message; null when only the title matched. */
  seq: number | null;
}

// How many rows are read between two looks at the clock.
const ROWS_PER_CHECK = 64;

/** The caller's matching conversations, each with its newest matching message; throws past `deadline`. */
function collectMatches(statements: StatementSync[], params: Record<string, string>, deadline: number) {
  const found = new Map<string, Match>();
  let rows = 0;
  for (const statement of statements) {
    for (const row of statement.iterate(params) as Iterable<Match>) {
      if (++rows % ROWS_PER_CHECK === 0 && performance.now() > deadline) throw new SearchTimeoutError();
      const seen = found.get(row.id);
      if (!seen) found.set(row.id, { ...row });
      else if (row.seq !== null && (seen.seq === null || row.seq > seen.seq)) seen.seq = row.seq;
    }
  }
  return [...found.values()];
}

const newestFirst = (a: Match, b: Match) => b.updated_at - a.updated_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * `owner`'s conversations matching `text`, most recently updated first, at most `limit`; a search
 * still running after `timeoutMs` stops with {@link SearchTimeoutError}.
 */
export function searchConversations(
  db: DatabaseSync,
  owner: string,
  text: string,
  limit: number,
  timeoutMs = Number.POSITIVE_INFINITY,
): SearchHit[] {
  const q = toMatchQuery(text);
  if (!q) return [];
  const deadline = performance.now() + timeoutMs;
  const statements = [db.prepare(MESSAGE_MATCHES), db.prepare(TITLE_MATCHES)];
  const page = collectMatches(statements, { q, owner }, deadline).sort(newestFirst).slice(0, limit);
  const conversation = db.prepare("SELECT * FROM conversations WHERE id = ?");
  const message = db.prepare("SELECT id, content FROM messages WHERE seq = ?");
  const words = queryWords(text);
  return page.map((match) => {
    const row = conversation.get(match.id) as unknown as ConversationRow;
    const hit =
      match.seq === null ? undefined : (message.get(match.seq) as { id: string; content: string } | undefined);
    return searchHitFromRow(row, hit ? snippetAround(hit.content, words) : null, hit?.id ?? null);
  });
}
