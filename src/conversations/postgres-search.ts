/**
 * Search over one user's conversations in PostgreSQL: each message and title keeps its words
 * folded (search-words.ts) beside it, indexed with the built-in `simple` text-search
 * configuration, which neither stems nor drops stop words, like FTS5's unicode61. A conversation
 * matches when its title, or one of its messages, holds every word (the last as a prefix).
 */
import type { Sql } from "postgres";
import { type ConversationRow, searchHitFromRow } from "./rows.ts";
import { queryWords, snippetAround } from "./search-words.ts";
import type { SearchHit } from "./store.ts";

/** `owner`'s conversations matching `text`, most recently updated first, at most `limit`. */
export async function searchPostgres(sql: Sql, owner: string, text: string, limit: number): Promise<SearchHit[]> {
  const words = queryWords(text);
  if (words.length === 0) return [];
  // Folded words are letters and digits only, never tsquery syntax; the query is still a parameter.
  const query = words.map((word, index) => (index === words.length - 1 ? `${word}:*` : word)).join(" & ");
  const rows = await sql<(ConversationRow & { hit: string | null })[]>`
    SELECT c.*, (
        SELECT m.content FROM messages m
         WHERE m.conversation_id = c.id
           AND to_tsvector('simple', m.search_words) @@ to_tsquery('simple', ${query})
         ORDER BY m.seq DESC LIMIT 1
      ) AS hit
      FROM conversations c
     WHERE c.owner = ${owner}
       AND (to_tsvector('simple', coalesce(c.title_words, '')) @@ to_tsquery('simple', ${query})
            OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id
                         AND to_tsvector('simple', m.search_words) @@ to_tsquery('simple', ${query})))
     ORDER BY c.updated_at DESC, c.id DESC
     LIMIT ${limit}`;
  return rows.map((row) => searchHitFromRow(row, row.hit === null ? null : snippetAround(row.hit, words)));
}
