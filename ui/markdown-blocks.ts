/**
 * Which blocks of a streaming answer are finished. A block is finished once another block has
 * started after it: nothing later can change it then (a fence closes, a list ends, a paragraph
 * meets a blank line). Only the last block can still grow — an open code fence, a list whose
 * next item may come, a table that may get rows — so only it is rendered again each frame.
 */
import type { Token } from "marked";
import { lexBlocks } from "./markdown-syntax.ts";

export interface BlockSplit {
  /** Blocks that can no longer change. */
  finished: Token[];
  /** How many characters of the text the finished blocks cover. */
  finishedLength: number;
  /** The last block (and blank lines after it), which the next text may still change. */
  open: Token[];
}

/** Splits `text` (the part of an answer after its finished blocks) into finished and open blocks. */
export function splitBlocks(text: string): BlockSplit {
  const blocks = lexBlocks(text);
  let last = blocks.length - 1;
  // Blank lines at the end do not close the block before them: "- a\n\n" may go on with "- b".
  while (last > 0 && blocks[last]?.type === "space") last--;
  const finished = blocks.slice(0, Math.max(last, 0));
  const finishedText = finished.map((block) => block.raw).join("");
  // The lexer gives the source back block by block; should it ever not (it normalizes line ends),
  // nothing is called finished and the whole text stays open, which is slower but still right.
  if (!text.startsWith(finishedText)) return { finished: [], finishedLength: 0, open: blocks };
  return { finished, finishedLength: finishedText.length, open: blocks.slice(Math.max(last, 0)) };
}
