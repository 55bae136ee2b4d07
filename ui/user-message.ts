/**
 * A long question (a pasted log, a whole file) is shown folded, with "Show more" / "Show less":
 * unfolded, a 50 KB paste would be a bubble tens of thousands of pixels tall.
 */
import { h } from "./dom.ts";

// Folded beyond this many lines or characters; the CSS shows about 12 lines when folded.
const maxLines = 14;
const maxCharacters = 1_200;

let count = 0;

function isLong(text: string): boolean {
  if (text.length > maxCharacters) return true;
  let lines = 1;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) if (++lines > maxLines) return true;
  return false;
}

/** Folds `content` (inside `article`) when `text` is long, with a button that toggles it. */
export function collapseIfLong(article: HTMLElement, content: HTMLElement, text: string): void {
  if (!isLong(text)) return;
  content.id ||= `message-text-${++count}`;
  content.classList.add("folded");
  const toggle = h(
    "button",
    { type: "button", class: "button small quiet fold-toggle", "aria-expanded": "false", "aria-controls": content.id },
    "Show more",
  );
  toggle.addEventListener("click", () => {
    const folded = content.classList.toggle("folded");
    toggle.setAttribute("aria-expanded", String(!folded));
    toggle.textContent = folded ? "Show more" : "Show less";
    if (folded) article.scrollIntoView({ block: "nearest" });
  });
  content.after(toggle);
}
