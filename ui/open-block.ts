/**
 * The last block of a streaming answer, rendered by a renderer made for its kind: each frame it
 * takes the block's text (which only grows) and does work for the new text only — a code fence
 * appends lines, a table rows, a list items, a paragraph sentences — instead of rendering the
 * whole block again. Whatever it cannot tell (the block turned into another kind, or ended in a
 * way it does not follow), it hands back, and the block is rendered anew from the whole text.
 */
export type OpenBlockState =
  /** Still growing; its nodes show the text given. */
  | { kind: "open" }
  /**
   * It ended after `length` characters (the rest of the text is the next blocks). `exact`: its
   * nodes are exactly what rendering those characters at once gives, so they are kept as they are.
   */
  | { kind: "ended"; length: number; exact: boolean }
  /** The text is no longer (only) this block, or not in a way it follows: render it anew. */
  | { kind: "lost" };

export interface OpenBlock {
  /** The block's top-level nodes, to put in the page once; they stay while it lives. */
  readonly nodes: readonly ChildNode[];
  /** Characters rendered by the last call (new text, and any part rendered again). */
  readonly rendered: number;
  /** Whether work was left for a later frame (a burst of text too large for one). */
  readonly behind: boolean;
  /** Shows the block's text so far (`text` starts at the block's start and extends the last one). */
  update(text: string): OpenBlockState;
  /** Shows the block's final text; true when its nodes are then exactly the whole text's rendering. */
  finish(text: string): boolean;
}
