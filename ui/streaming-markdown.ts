/**
 * An answer's Markdown rendered as it streams in. Finished blocks are rendered once and kept
 * (markdown-blocks.ts). The last, open block is rendered by a renderer for its kind when there is
 * one (a code fence, a table, a list, a paragraph: open-block.ts), which works on the new text
 * only; any other open block is rendered again each frame. So a frame's work grows with the new
 * text, not with the answer or the block it extends.
 */
import type { Token, Tokens } from "marked";
import { renderBlocks, renderMarkdown } from "./markdown.ts";
import { splitBlocks } from "./markdown-blocks.ts";
import type { OpenBlock } from "./open-block.ts";
import { OpenFence } from "./open-fence.ts";
import { OpenList } from "./open-list.ts";
import { OpenParagraph } from "./open-paragraph.ts";
import { OpenTable } from "./open-table.ts";

/** A renderer for `block`, the first block of `text`, when its kind has one. */
function openBlockFor(block: Token | undefined, text: string): OpenBlock | undefined {
  switch (block?.type) {
    case "code":
      return OpenFence.accepts(text) ? new OpenFence((block as Tokens.Code).lang, text) : undefined;
    case "table":
      return OpenTable.accepts(text) ? new OpenTable(text) : undefined;
    case "paragraph":
      return OpenParagraph.accepts(text) ? new OpenParagraph(block.raw) : undefined;
    case "list":
      return new OpenList(block as Tokens.List);
    default:
      return undefined;
  }
}

export class StreamingMarkdown {
  readonly #target: HTMLElement;
  /** Characters of the text already rendered as finished blocks. */
  #finishedLength = 0;
  /** The open block's renderer, when its kind has one. */
  #open: OpenBlock | undefined;
  /** Otherwise, the nodes of the open block, replaced each frame. */
  #openNodes: ChildNode[] = [];
  #rendered = 0;

  constructor(target: HTMLElement) {
    this.#target = target;
  }

  /** Whether the last update left work for another frame. */
  get behind(): boolean {
    return this.#open?.behind ?? false;
  }

  /** Shows `text`, which extends the text of the previous call; returns how many characters it rendered. */
  update(text: string): number {
    this.#rendered = 0;
    this.#show(normalize(text));
    return this.#rendered;
  }

  /**
   * Shows the finished `text`. With a reference definition ("[1]: https://…") it is rendered
   * again as a whole, as a stored message is, since the definition applies to earlier blocks too.
   */
  finish(text: string): void {
    const normalized = normalize(text);
    if (referenceDefinition.test(normalized)) {
      this.#dropOpen();
      this.#target.replaceChildren(renderMarkdown(normalized));
      this.#finishedLength = normalized.length;
      return;
    }
    this.#show(normalized);
    const rest = normalized.slice(this.#finishedLength);
    if (this.#open && !this.#open.finish(rest)) {
      this.#dropOpen();
      this.#openNodes = this.#append(renderMarkdown(rest));
    }
  }

  #show(text: string): void {
    // Each turn either keeps the open block or moves past finished text, so this ends; the bound
    // is a guard should a renderer ever give back a block it has just been given.
    for (let turn = 0; turn < 8; turn++) {
      const open = this.#open ?? this.#startOpen(text.slice(this.#finishedLength), turn < 7);
      if (!open) return;
      const rest = text.slice(this.#finishedLength);
      const state = open.update(rest);
      this.#rendered += open.rendered;
      if (state.kind === "open") return;
      if (state.kind === "lost") {
        this.#dropOpen();
        continue;
      }
      // Ended: its text is finished, and what follows is new blocks.
      if (!state.exact) {
        this.#dropOpen();
        this.#append(renderMarkdown(rest.slice(0, state.length)));
      }
      this.#open = undefined;
      this.#finishedLength += state.length;
    }
  }

  /**
   * Renders the finished blocks of `rest` (the text after those already finished), then returns a
   * renderer for the open block when its kind has one (and `specific`), or renders it whole.
   */
  #startOpen(rest: string, specific: boolean): OpenBlock | undefined {
    this.#dropOpen();
    const split = splitBlocks(rest);
    if (split.finished.length > 0) {
      this.#append(renderBlocks(split.finished));
      this.#finishedLength += split.finishedLength;
    }
    const openText = rest.slice(split.finishedLength);
    const open = specific ? openBlockFor(split.open[0], openText) : undefined;
    if (open) {
      this.#open = open;
      this.#target.append(...open.nodes);
      return open;
    }
    this.#rendered += openText.length;
    this.#openNodes = this.#append(renderBlocks(split.open));
    return undefined;
  }

  /** Removes the open block's nodes, whoever rendered them. */
  #dropOpen(): void {
    for (const node of this.#open?.nodes ?? this.#openNodes) node.remove();
    this.#open = undefined;
    this.#openNodes = [];
  }

  #append(fragment: DocumentFragment): ChildNode[] {
    const nodes = [...fragment.childNodes];
    this.#target.append(fragment);
    return nodes;
  }
}

const referenceDefinition = /^ {0,3}\[[^\]\n]+\]:/m;

// The lexer turns CR LF and CR into LF; the text must match its blocks character for character.
const normalize = (text: string) => (text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text);
