/**
 * The text of a code block that is still being written, highlighted as it grows. Finished lines
 * are highlighted once and kept; only the last few lines are highlighted again each frame, and the
 * newest shows plain until the next one starts. Lines are kept up to a point only when
 * highlighting there gives the same markup with and without the lines after it, and ends outside
 * every construct that spans lines (a block comment, a template string, a YAML block): then
 * highlighting the rest from that point alone gives what highlighting the whole text would, so the
 * finished block is the same markup as one rendered at once. Kept lines go into the chunks the
 * whole render makes too (code-chunks.ts), so the browser lays out only the chunk that grows.
 */
import { type HighlightedCode, highlightCode, isHighlighted } from "./code-blocks.ts";
import { CHUNK_CLASS, ChunkSplitter, escapeCode } from "./code-chunks.ts";

// Lines highlighted again each frame, after the kept ones: what decides whether a construct goes on.
const LOOKAHEAD_LINES = 3;
// A burst (a resumed stream replays everything at once) is kept in pieces of about this size,
// until the frame's time budget is spent; the rest waits for the next frames.
const PIECE_CHARACTERS = 8_192;
const FRAME_BUDGET_MS = 6;

/** Parses the page's own markup (highlight.js's spans around escaped text) into nodes. */
function nodesOf(html: string): ChildNode[] {
  const template = document.createElement("template");
  template.innerHTML = html;
  return [...template.content.childNodes];
}

/** Where the line `lines` lines before `end` (a line start) starts; 0 at most. */
function linesBefore(text: string, end: number, lines: number): number {
  let at = end;
  for (let i = 0; i < lines && at > 0; i++) at = text.lastIndexOf("\n", at - 2) + 1;
  return at;
}

/** Where the line `lines` lines after `start` (a line start) starts, at most `limit`. */
function linesAfter(text: string, start: number, lines: number, limit: number): number {
  let at = start;
  for (let i = 0; i < lines && at < limit; i++) {
    const lineEnd = text.indexOf("\n", at);
    at = lineEnd === -1 ? limit : Math.min(lineEnd + 1, limit);
  }
  return at;
}

export class CodeLines {
  readonly #code: HTMLElement;
  readonly #language: string | undefined;
  /** Characters whose markup is final and shown. */
  #kept = 0;
  readonly #splitter = new ChunkSplitter();
  /** The chunks of kept lines; the last one takes more until the splitter starts another. */
  readonly #chunks: HTMLElement[] = [];
  /** A block after the kept lines, replaced each frame: lines not kept yet, and the newest line. */
  #provisional: HTMLElement | undefined;
  /** Characters rendered by the last call. */
  rendered = 0;
  /** Whether the last call left lines to keep for a later frame (its time budget ran out). */
  behind = false;

  constructor(code: HTMLElement, language: string | undefined) {
    this.#code = code;
    this.#language = isHighlighted(language) ? language : undefined;
  }

  /**
   * Shows `text` (the code so far, extending the last call's), of which the first `finished`
   * characters (whole lines) are surely the block's: those are highlighted, the rest shows plain.
   */
  show(text: string, finished: number): void {
    this.#provisional?.remove();
    const provisional = chunk();
    this.#provisional = provisional;
    this.rendered = 0;
    this.behind = false;
    const started = performance.now();
    let last: HighlightedCode | undefined;
    for (;;) {
      const limit = this.#language ? linesBefore(text, finished, LOOKAHEAD_LINES) : finished;
      if (limit <= this.#kept) break;
      if (performance.now() - started > FRAME_BUDGET_MS) {
        this.behind = true;
        break;
      }
      const end =
        limit - this.#kept > PIECE_CHARACTERS ? linesAfter(text, this.#kept + PIECE_CHARACTERS, 1, limit) : limit;
      const verified = this.#keep(text, end, finished);
      last = verified.rest;
      if (!verified.kept) break;
    }
    // Behind, the lines not kept yet show plain: highlighting them all now is what the budget avoids.
    const highlighted = this.behind ? this.#kept : finished;
    if (highlighted > this.#kept) {
      last ??= this.#markup(text.slice(this.#kept, highlighted));
      provisional.append(...nodesOf(last.html));
    }
    provisional.append(text.slice(highlighted));
    this.#code.append(provisional);
    this.rendered += text.length - highlighted;
  }

  /** Shows the final `text`: every character highlighted, as the whole text highlights at once. */
  finish(text: string): void {
    this.#provisional?.remove();
    this.#provisional = undefined;
    const rest = text.slice(this.#kept);
    this.#keepMarkup(this.#markup(rest).html);
    // One chunk is none: the whole render puts such code in the <code> itself. The lines already
    // kept stay as they are (no pass over the whole block): the browser lays out nothing again.
    const only = this.#chunks.length === 1 ? this.#chunks[0] : undefined;
    only?.replaceWith(...only.childNodes);
    this.rendered = rest.length;
    this.behind = false;
    this.#kept = text.length;
  }

  /**
   * Keeps the lines up to `end` if the lines after it (up to `finished`) do not change their
   * markup; returns whether it did, and the markup of the lines after the kept ones when known.
   */
  #keep(text: string, end: number, finished: number): { kept: boolean; rest: HighlightedCode | undefined } {
    const lookahead = linesAfter(text, end, LOOKAHEAD_LINES, finished);
    const piece = this.#markup(text.slice(this.#kept, end));
    const longer = this.#markup(text.slice(this.#kept, lookahead));
    this.rendered += lookahead - this.#kept;
    const atEnd = lookahead === finished;
    if (!piece.settled || !longer.html.startsWith(piece.html)) return { kept: false, rest: atEnd ? longer : undefined };
    this.#keepMarkup(piece.html);
    this.#kept = end;
    const rest = { html: longer.html.slice(piece.html.length), settled: longer.settled };
    return { kept: true, rest: atEnd ? rest : undefined };
  }

  #markup(text: string): HighlightedCode {
    return this.#language ? highlightCode(text, this.#language) : { html: escapeCode(text), settled: true };
  }

  /** Adds the markup of kept lines to the chunks, starting new ones where the splitter says. */
  #keepMarkup(html: string): void {
    for (const piece of this.#splitter.feed(html)) {
      if (piece === null) {
        const next = chunk();
        this.#code.append(next);
        this.#chunks.push(next);
      } else {
        const last = this.#chunks.at(-1);
        if (last) appendJoined(last, nodesOf(piece));
      }
    }
  }
}

/**
 * Appends `nodes` to `chunk`, a text node that follows text going into the text before it: the
 * whole render parses one string, which never gives two text nodes side by side.
 */
function appendJoined(chunk: HTMLElement, nodes: ChildNode[]): void {
  const [first, ...rest] = nodes;
  const last = chunk.lastChild;
  if (first instanceof Text && last instanceof Text) {
    last.appendData(first.data);
    chunk.append(...rest);
  } else {
    chunk.append(...nodes);
  }
}

/** A chunk of lines. */
function chunk(): HTMLElement {
  const block = document.createElement("span");
  block.className = CHUNK_CLASS;
  return block;
}
