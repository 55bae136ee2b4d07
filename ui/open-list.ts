/**
 * An open list: items are rendered once each, when the next item starts; only the newest item is
 * rendered again each frame, from its own text (an item's extent depends on its own lines and
 * indentation). A list is loose as a whole (a blank line between two items puts every item's text
 * in paragraphs), so the whole list is rendered anew when it turns loose, and once more at the
 * end if it is loose.
 */
import type { Tokens } from "marked";
import { renderBlocks } from "./markdown.ts";
import { lexBlocks } from "./markdown-syntax.ts";
import type { OpenBlock, OpenBlockState } from "./open-block.ts";

/** The `<li>` nodes (each with the line break after it) of `list` with only `items`. */
function itemNodes(list: Tokens.List, items: Tokens.ListItem[]): ChildNode[] {
  const frame = renderBlocks([{ ...list, items }]);
  return [...(frame.firstElementChild?.childNodes ?? [])].slice(1);
}

/** As marked makes every item of a loose list loose (its text in paragraphs). */
function makeLoose(list: Tokens.List): void {
  list.loose = true;
  for (const item of list.items) {
    item.loose = true;
    for (const token of item.tokens) if (token.type === "text") token.type = "paragraph";
  }
}

export class OpenList implements OpenBlock {
  readonly nodes: readonly ChildNode[];
  readonly #list: Element;
  readonly #ordered: boolean;
  readonly #loose: boolean;
  /** Where the newest item, the one that may still grow, starts. */
  #newestStart = 0;
  #newest: ChildNode[] = [];
  rendered = 0;
  readonly behind = false;

  constructor(list: Tokens.List) {
    this.#ordered = list.ordered;
    this.#loose = list.loose;
    const frame = renderBlocks([{ ...list, items: [] }]);
    this.#list = frame.firstElementChild as Element;
    this.nodes = [...frame.childNodes];
  }

  update(text: string): OpenBlockState {
    const tail = text.slice(this.#newestStart);
    this.rendered = tail.length;
    const blocks = lexBlocks(tail);
    const list = blocks[0] as Tokens.List | undefined;
    const onlyThisList = list?.type === "list" && blocks.every((block, i) => i === 0 || block.type === "space");
    // Another block after it, another kind of list, or a tight list turning loose: render anew.
    if (!list || !onlyThisList || list.ordered !== this.#ordered || (list.loose && !this.#loose)) {
      return { kind: "lost" };
    }
    if (this.#loose) makeLoose(list);
    for (const node of this.#newest) node.remove();
    const finished = list.items.slice(0, -1);
    if (finished.length > 0) {
      this.#list.append(...itemNodes(list, finished));
      this.#newestStart += finished.reduce((length, item) => length + item.raw.length, 0);
    }
    this.#newest = itemNodes(list, list.items.slice(-1));
    this.#list.append(...this.#newest);
    return { kind: "open" };
  }

  finish(text: string): boolean {
    // A loose list's task items place their checkbox differently: only a whole render knows.
    return this.update(text).kind === "open" && !this.#loose;
  }
}
