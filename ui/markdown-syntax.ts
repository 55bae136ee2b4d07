/**
 * Markdown → HTML text (not yet safe: see sanitize.ts), in pieces that can be rendered one
 * block at a time while an answer streams. GitHub Flavored Markdown plus TeX math.
 */
import { Marked, type Token, type TokensList } from "marked";
import { mathExtensions } from "./math.ts";

/** A fenced or indented code block as written, so the page can label and highlight it after sanitizing. */
export interface CodeSource {
  text: string;
  /** The fence's language word, lower case ("ts" for ```ts title="x"); undefined when unlabelled. */
  language: string | undefined;
}

export interface BlocksHtml {
  html: string;
  /** The code blocks among the blocks, in order. */
  codes: CodeSource[];
}

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => escapes[char] ?? char);

// Filled by the code renderer during one synchronous parse, read right after it.
let codes: CodeSource[] = [];

/** The language word of a fence's info string, lower case ("ts" for ```ts title="x"); undefined when unlabelled. */
export function codeLanguage(info: string | undefined): string | undefined {
  return info?.trim().split(/\s+/)[0]?.toLowerCase() || undefined;
}

const marked = new Marked({ gfm: true, async: false });
marked.use({
  extensions: mathExtensions,
  renderer: {
    // Plain escaped text: highlighting adds classes, and classes are added only after sanitizing.
    code({ text, lang }) {
      codes.push({ text, language: codeLanguage(lang) });
      return `<pre><code>${escapeHtml(text)}</code></pre>\n`;
    },
  },
});

/** The top-level blocks of `text`; their `raw` strings joined give `text` back (line ends as LF). */
export function lexBlocks(text: string): TokensList {
  return marked.lexer(text);
}

/** Renders top-level blocks to (unsanitized) HTML. */
export function blocksToHtml(blocks: Token[]): BlocksHtml {
  codes = [];
  const html = marked.parser(blocks);
  const found = codes;
  codes = [];
  return { html, codes: found };
}

/** Renders inline Markdown (a paragraph's text) to (unsanitized) HTML. */
export function inlineToHtml(text: string): string {
  return marked.parseInline(text) as string;
}

/** Renders a whole text to (unsanitized) HTML. */
export function markdownToHtml(text: string): BlocksHtml {
  return blocksToHtml(lexBlocks(text));
}
