/**
 * A long code block's lines in blocks of a few dozen (`<span class="code-chunk">`, display:
 * block), so the browser lays out and shapes each block on its own: one long `<pre>` is a single
 * run of text that the browser lays out again whole on any change to it (loadtest/README.md, the
 * browser bench, has what that costs). A block ends at the first line start, 32
 * lines or more after it began, where no highlight span is open, and only when code follows; a
 * block of code with no such point has no blocks at all. Both the streaming and the whole render
 * split highlight.js's markup this way, so they give the same DOM.
 */

export const CHUNK_LINES = 32;
export const CHUNK_CLASS = "code-chunk";

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** Code that is not highlighted, as markup (escaped text). */
export const escapeCode = (text: string) => text.replace(/[&<>]/g, (char) => escapes[char] ?? char);

/** What `feed` gives: markup to add to the current block, or null where a new block starts. */
export type ChunkPiece = string | null;

const TOKENS = /<span[^>]*>|<\/span>|[^<]+/g;

/** Splits highlight.js's markup, given in order in any number of parts, into blocks. */
export class ChunkSplitter {
  #depth = 0;
  #lines = 0;
  /** A block may end here, if more code follows. */
  #mayEnd = false;
  /** How many blocks have started. */
  chunks = 0;

  /** The pieces of `html`, the markup that follows what was fed before. */
  feed(html: string): ChunkPiece[] {
    const pieces: ChunkPiece[] = [];
    let markup = "";
    const startChunk = () => {
      if (markup !== "") pieces.push(markup);
      markup = "";
      pieces.push(null);
      this.chunks++;
      this.#lines = 0;
      this.#mayEnd = false;
    };
    for (const [token] of html.matchAll(TOKENS)) {
      if (this.chunks === 0 || (this.#mayEnd && token.startsWith("<"))) startChunk();
      if (token.startsWith("<")) {
        this.#depth += token.startsWith("</") ? -1 : 1;
        markup += token;
        continue;
      }
      let from = 0;
      for (let at = 0; at < token.length; at++) {
        if (this.#mayEnd) {
          // A character follows the block's last line: the block ends before it.
          markup += token.slice(from, at);
          from = at;
          startChunk();
        }
        if (token.charCodeAt(at) === 10) {
          this.#lines++;
          this.#mayEnd = this.#depth === 0 && this.#lines >= CHUNK_LINES;
        }
      }
      markup += token.slice(from);
    }
    if (markup !== "") pieces.push(markup);
    return pieces;
  }
}

/** The whole markup of a code block, in blocks when it has more than one (the whole render's). */
export function chunkedMarkup(html: string): string {
  const splitter = new ChunkSplitter();
  const pieces = splitter.feed(html);
  if (splitter.chunks < 2) return html;
  const open = `<span class="${CHUNK_CLASS}">`;
  const markup = pieces.map((piece, i) => piece ?? (i === 0 ? open : `</span>${open}`)).join("");
  return `${markup}</span>`;
}
