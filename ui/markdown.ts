/**
 * Model output → safe DOM. Markdown is rendered first (marked, with math), the result sanitized
 * (sanitize.ts), and only then decorated with the page's own markup (code headers, highlighting),
 * because the model's text is untrusted: whatever markup it produces, nothing that runs, no
 * page-like classes or ids, no link but http(s) and mailto survives.
 */
import type { Token } from "marked";
import { decorateCodeBlocks } from "./code-blocks.ts";
import { h } from "./dom.ts";
import { blocksToHtml, lexBlocks } from "./markdown-syntax.ts";
import { sanitizeToFragment } from "./sanitize.ts";

/** Renders Markdown blocks to a sanitized, decorated fragment. */
export function renderBlocks(blocks: Token[]): DocumentFragment {
  const { html, codes } = blocksToHtml(blocks);
  const fragment = sanitizeToFragment(html);
  decorateCodeBlocks(fragment, codes);
  wrapTables(fragment);
  // A class rather than li:has(> input) in CSS: :has() is re-checked on every change of the DOM.
  for (const box of fragment.querySelectorAll("li > input[type=checkbox]")) box.parentElement?.classList.add("task");
  return fragment;
}

/** Puts each table in a box that scrolls sideways, and that the keyboard can scroll (tabindex). */
function wrapTables(root: DocumentFragment): void {
  for (const table of root.querySelectorAll("table")) {
    const box = h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Table" });
    table.replaceWith(box);
    box.append(table);
  }
}

/** Renders a whole Markdown text to a sanitized, decorated fragment. */
export function renderMarkdown(text: string): DocumentFragment {
  return renderBlocks(lexBlocks(text));
}
