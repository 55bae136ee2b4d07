/**
 * An answer's Markdown rendered as it streams in. Finished blocks are rendered once and kept;
 * each frame renders only the last, still open block again (markdown-blocks.ts), so a frame's
 * work grows with the new text rather than with the whole answer.
 */

import { renderBlocks, renderMarkdown } from "./markdown.ts";
import { splitBlocks } from "./markdown-blocks.ts";

export class StreamingMarkdown {
  readonly #target: HTMLElement;
  /** Characters of the text already rendered as finished blocks. */
  #finishedLength = 0;
  /** The nodes of the open block, replaced each frame. */
  #openNodes: ChildNode[] = [];

  constructor(target: HTMLElement) {
    this.#target = target;
  }

  /** Shows `text`, which extends the text of the previous call; returns how many characters it rendered. */
  update(text: string): number {
    const normalized = normalize(text);
    const split = splitBlocks(normalized.slice(this.#finishedLength));
    for (const node of this.#openNodes) node.remove();
    if (split.finished.length > 0) {
      this.#target.append(renderBlocks(split.finished));
      this.#finishedLength += split.finishedLength;
    }
    const open = renderBlocks(split.open);
    this.#openNodes = [...open.childNodes];
    this.#target.append(open);
    return normalized.length - this.#finishedLength + split.finishedLength;
  }

  /**
   * Shows the finished `text`. With a reference definition ("[1]: https://…") it is rendered
   * again as a whole, as a stored message is, since the definition applies to earlier blocks too.
   */
  finish(text: string): void {
    if (referenceDefinition.test(text)) {
      this.#target.replaceChildren(renderMarkdown(normalize(text)));
      this.#finishedLength = 0;
      this.#openNodes = [];
    } else {
      this.update(text);
    }
  }
}

const referenceDefinition = /^ {0,3}\[[^\]\n]+\]:/m;

// The lexer turns CR LF and CR into LF; the text must match its blocks character for character.
const normalize = (text: string) => (text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text);
