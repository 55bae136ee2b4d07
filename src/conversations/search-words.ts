/**
 * Search as plain words, for a backend without SQLite's FTS5 (PostgreSQL), and the snippet both
 * backends show: text is reduced to its words, lower-cased and without accents, the way FTS5's
 * `unicode61 remove_diacritics` tokenizer sees it, so that both backends find the same
 * conversations for the same query. A folded word holds letters and digits only, whatever was
 * typed: NFKD turns some 50 code points (`⑴`, `ͺ`, `ﷺ`, `½`…) into parentheses, dots, commas,
 * slashes or spaces, and those split words here instead of reaching a query.
 */

// More words than this narrow nothing a person would notice and only cost the query.
export const MAX_QUERY_WORDS = 12;
// Words of the snippet around the match, about what FTS5's snippet() was asked for before.
const SNIPPET_WORDS = 12;
// Longer runs of letters (a pasted hash, base64) are cut to this many code points, in the index
// and in a query alike: PostgreSQL refuses tsquery words over 2,047 bytes and GIN keys over ~2.7 kB.
export const MAX_WORD_LENGTH = 100;

/** A word as the index tokenizer sees raw text: letters, digits and their combining marks. */
const RAW_WORD = /[\p{L}\p{N}\p{M}]+/gu;
const FOLDED_WORD = /[\p{L}\p{N}]+/gu;

/** One raw word folded: decomposed, its combining marks dropped, lower case ("Café" → "cafe"). */
export function foldWord(word: string): string {
  return word
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

function capped(word: string): string {
  return word.length <= MAX_WORD_LENGTH ? word : Array.from(word).slice(0, MAX_WORD_LENGTH).join("");
}

/** Every folded word of `text`, in order: only letters and digits, each at most {@link MAX_WORD_LENGTH}. */
export function foldedWords(text: string): string[] {
  const words: string[] = [];
  for (const [raw] of text.matchAll(RAW_WORD))
    for (const [word] of foldWord(raw).matchAll(FOLDED_WORD)) words.push(capped(word));
  return words;
}

/** The distinct folded words of `text`, separated by single spaces: what the index holds. */
export function searchWords(text: string | null): string | null {
  if (text === null) return null;
  return [...new Set(foldedWords(text))].join(" ");
}

/** The folded words of a query, at most {@link MAX_QUERY_WORDS}; the last one is matched as a prefix. */
export function queryWords(text: string): string[] {
  return foldedWords(text).slice(0, MAX_QUERY_WORDS);
}

/** Whether `word` (folded) is one the query asks for. */
function matches(word: string, query: string[]): boolean {
  const last = query.length - 1;
  return query.some((wanted, index) => (index === last ? word.startsWith(wanted) : word === wanted));
}

/** About {@link SNIPPET_WORDS} words of `content` from its first match, with "…" where cut. */
export function snippetAround(content: string, query: string[]): string {
  const words = [...content.matchAll(/\S+/gu)].map((match) => match[0]);
  const hit = words.findIndex((word) => foldedWords(word).some((part) => matches(part, query)));
  const start = Math.max(0, Math.min(hit - 3, words.length - SNIPPET_WORDS));
  const end = Math.min(words.length, start + SNIPPET_WORDS);
  return `${start > 0 ? "…" : ""}${words.slice(start, end).join(" ")}${end < words.length ? "…" : ""}`;
}
