/**
 * Search as plain words, for a backend without SQLite's FTS5 (PostgreSQL): text is reduced to its
 * words, lower-cased and without accents, the way FTS5's `unicode61 remove_diacritics` tokenizer
 * sees it, so that both backends find the same conversations for the same query.
 */

// More words than this narrow nothing a person would notice and only cost the query (as sqlite-search.ts).
const MAX_WORDS = 12;
// Words of the snippet around the match, as sqlite-search.ts asks FTS5's snippet() for.
const SNIPPET_WORDS = 12;

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** One word folded: decomposed, its combining marks dropped, lower case ("Café" → "cafe"). */
export function foldWord(word: string): string {
  return word
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/** Every word of `text`, folded, separated by single spaces: what the index holds. */
export function searchWords(text: string | null): string | null {
  if (text === null) return null;
  return (text.match(WORD) ?? []).map(foldWord).filter(Boolean).join(" ");
}

/** The folded words of a query, at most {@link MAX_WORDS}; the last one is matched as a prefix. */
export function queryWords(text: string): string[] {
  return (text.match(WORD) ?? []).map(foldWord).filter(Boolean).slice(0, MAX_WORDS);
}

/** Whether `word` (folded) is one the query asks for. */
function matches(word: string, query: string[]): boolean {
  const last = query.length - 1;
  return query.some((wanted, index) => (index === last ? word.startsWith(wanted) : word === wanted));
}

/** About {@link SNIPPET_WORDS} words of `content` from its first match, with "…" where cut. */
export function snippetAround(content: string, query: string[]): string {
  const words = [...content.matchAll(/\S+/gu)].map((match) => match[0]);
  const hit = words.findIndex((word) => (word.match(WORD) ?? []).some((part) => matches(foldWord(part), query)));
  const start = Math.max(0, Math.min(hit - 3, words.length - SNIPPET_WORDS));
  const end = Math.min(words.length, start + SNIPPET_WORDS);
  return `${start > 0 ? "…" : ""}${words.slice(start, end).join(" ")}${end < words.length ? "…" : ""}`;
}
