/**
 * An open paragraph: its text is rendered in pieces of about a kilobyte, each once, and only the
 * newest piece again each frame. Emphasis or a link may span two pieces, so when the paragraph
 * ends it is rendered once more as a whole. Each new line is checked on its own: one that would
 * end the paragraph or change what it is (a setext underline, a table's delimiter, a list) hands
 * the text back to be rendered anew.
 */
import { h } from "./dom.ts";
import { inlineToHtml, lexBlocks } from "./markdown-syntax.ts";
import type { OpenBlock, OpenBlockState } from "./open-block.ts";
import { sanitizeToFragment } from "./sanitize.ts";

// Pieces end at a line break or a space once they are about this long.
const PIECE_CHARACTERS = 1_024;
const NEWEST_CHARACTERS = 64;

const BLANK_LINE = /^[ \t]*$/;

/**
 * Whether `line`, after `previous` in a paragraph, continues it rather than starting or changing a
 * block (with `previous`, as a table's header or a setext heading's text).
 */
function continuesParagraph(previous: string, line: string): boolean {
  // "x" first, so that `previous` is read as a paragraph's line, as it is.
  const blocks = lexBlocks(`x\n${previous}\n${line}\n`);
  return blocks.length === 1 && blocks[0]?.type === "paragraph";
}

// A first line this short may still become another block as it grows ("```", "- -", "#").
const YOUNG_LINE = 64;
// A paragraph that opens like display math or HTML may become one when a later line closes it:
// such (short) paragraphs are rendered whole each frame instead.
const MAY_BECOME_ANOTHER_BLOCK = /^ {0,3}(?:\$\$|\\\[|<)/;

export class OpenParagraph implements OpenBlock {
  /** Whether the paragraph starting `text` can no longer turn into another kind of block by its first line. */
  static accepts(text: string): boolean {
    if (MAY_BECOME_ANOTHER_BLOCK.test(text)) return false;
    return text.includes("\n") || text.length >= YOUNG_LINE;
  }

  readonly #paragraph = h("p");
  readonly nodes: readonly ChildNode[] = [this.#paragraph, document.createTextNode("\n")];
  /** Where the line after the last one checked starts; -1 until the first line is complete. */
  #checked: number;
  /** Characters rendered for good, in earlier pieces. */
  #kept = 0;
  #newest: ChildNode[] = [];
  rendered = 0;
  readonly behind = false;

  /** `raw`: the paragraph as the lexer found it; its complete lines are known to belong to it. */
  constructor(raw: string) {
    this.#checked = raw.lastIndexOf("\n") + 1 || -1;
  }

  update(text: string): OpenBlockState {
    // The first line is the paragraph's own: checking starts at the second.
    if (this.#checked === -1) this.#checked = text.indexOf("\n") + 1 || -1;
    while (this.#checked !== -1) {
      const lineEnd = text.indexOf("\n", this.#checked);
      if (lineEnd === -1) break;
      const line = text.slice(this.#checked, lineEnd);
      if (BLANK_LINE.test(line)) return { kind: "ended", length: this.#checked, exact: false };
      const previous = text.slice(text.lastIndexOf("\n", this.#checked - 2) + 1, this.#checked - 1);
      if (!continuesParagraph(previous, line)) return { kind: "lost" };
      this.#checked = lineEnd + 1;
    }
    this.#render(text);
    return { kind: "open" };
  }

  finish(text: string): boolean {
    this.update(text);
    // Only the whole text knows where emphasis and links end.
    return false;
  }

  #render(text: string): void {
    for (const node of this.#newest) node.remove();
    this.rendered = 0;
    // The newest characters stay in the newest piece: a word may still be growing there.
    const limit = text.length - NEWEST_CHARACTERS;
    while (limit - this.#kept > PIECE_CHARACTERS) {
      const end = pieceEnd(text, this.#kept, limit);
      this.#paragraph.append(this.#inline(text.slice(this.#kept, end)));
      this.#kept = end;
    }
    const newest = this.#inline(text.slice(this.#kept));
    this.#newest = [...newest.childNodes];
    this.#paragraph.append(newest);
  }

  #inline(text: string): DocumentFragment {
    this.rendered += text.length;
    return sanitizeToFragment(inlineToHtml(text));
  }
}

/** A piece from `start`: up to a line break (else a space) about PIECE_CHARACTERS on, before `limit`. */
function pieceEnd(text: string, start: number, limit: number): number {
  const window = text.slice(start, Math.min(limit, start + PIECE_CHARACTERS * 2));
  const at = Math.max(window.lastIndexOf("\n"), window.lastIndexOf(" "));
  return at > 0 ? start + at + 1 : limit;
}
