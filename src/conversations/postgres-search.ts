/**
 * Search over one user's conversations in PostgreSQL: each message and title keeps its folded
 * words (search-words.ts) beside it, and a GIN index holds them as lexemes exactly as written
 * (`array_to_tsvector`, no text-search parser between, so no locale decides what a word is). A
 * conversation matches when its title, or one of its messages, holds every word (the last as a
 * prefix). What a user types reaches the query only as quoted lexemes: never as tsquery syntax.
 */
import type { Sql, TransactionSql } from "postgres";
import { type ConversationRow, searchHitFromRow } from "./conversation-rows.ts";
import { foldWord, queryWords, snippetAround } from "./search-words.ts";
import type { SearchHit } from "./store.ts";
import { SearchTimeoutError } from "./store-errors.ts";

export interface SearchSettings {
  /** A search running longer is cancelled by the server (statement_timeout); absent: none. */
  timeoutMs?: number | undefined;
  /**
   * False only for the attacker suite's negative control: the query is then built as Sluice built
   * it before, the folded words as to_tsquery syntax.
   */
  quoted?: boolean | undefined;
}

/** A lexeme as tsquery input: in single quotes, with quotes doubled and backslashes escaped. */
function quotedLexeme(word: string): string {
  return `'${word.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/** `words` as a tsquery: every one required, the last as a prefix. */
export function toTsQuery(words: string[]): string {
  return words.map((word, index) => `${quotedLexeme(word)}${index === words.length - 1 ? ":*" : ""}`).join(" & ");
}

// QUERY_CANCELED: statement_timeout ran out (PostgreSQL's "Appendix A. Error Codes").
const QUERY_CANCELED = "57014";

/** `owner`'s conversations matching `text`, most recently updated first, at most `limit`. */
export async function searchPostgres(
  sql: Sql,
  owner: string,
  text: string,
  limit: number,
  settings: SearchSettings = {},
): Promise<SearchHit[]> {
  const words = queryWords(text);
  if (words.length === 0) return [];
  const search = async (tx: TransactionSql) => {
    // SET takes no parameters; set_config(…, true) is SET LOCAL with a bound value.
    if (settings.timeoutMs) await tx`SELECT set_config('statement_timeout', ${String(settings.timeoutMs)}, true)`;
    // The planner prices rebuilding a message's lexemes like any function call, and when many
    // messages match it would rather rebuild them all in a sequential scan than read the GIN
    // index, which is far slower for common words (the store fairness bench shows by how much).
    await tx`SELECT set_config('enable_seqscan', 'off', true)`;
    const query =
      settings.quoted === false ? tx`to_tsquery('simple', ${unquoted(text)})` : tx`${toTsQuery(words)}::tsquery`;
    return tx<(ConversationRow & { hit_id: string | null; hit: string | null })[]>`
      WITH page AS (
        SELECT c.* FROM conversations c
         WHERE c.owner = ${owner}
           AND (array_to_tsvector(string_to_array(coalesce(c.title_words, ''), ' ')) @@ ${query}
                OR c.id IN (SELECT m.conversation_id FROM messages m
                             WHERE array_to_tsvector(string_to_array(m.search_words, ' ')) @@ ${query}))
         ORDER BY c.updated_at DESC, c.id DESC
         LIMIT ${limit})
      SELECT page.*, hit.id AS hit_id, hit.content AS hit FROM page
        LEFT JOIN LATERAL (
          SELECT m.id, m.content FROM messages m
           WHERE m.conversation_id = page.id
             AND array_to_tsvector(string_to_array(m.search_words, ' ')) @@ ${query}
           ORDER BY m.seq DESC LIMIT 1) hit ON true
       ORDER BY page.updated_at DESC, page.id DESC`;
  };
  const rows = await (
    sql.begin(search) as Promise<(ConversationRow & { hit_id: string | null; hit: string | null })[]>
  ).catch((error) => {
    if ((error as { code?: unknown }).code === QUERY_CANCELED) throw new SearchTimeoutError();
    throw error;
  });
  return rows.map((row) => searchHitFromRow(row, row.hit === null ? null : snippetAround(row.hit, words), row.hit_id));
}

/** The negative control's query text: each raw word folded, the last a prefix, joined as tsquery syntax. */
function unquoted(text: string): string {
  const words = (text.match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).map(foldWord).filter(Boolean);
  return words.map((word, index) => (index === words.length - 1 ? `${word}:*` : word)).join(" & ");
}
