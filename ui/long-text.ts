/**
 * A very long stored message shows its start, with "Show all": a 1 MB answer rendered whole would
 * hold the page for seconds, and one cut by the read (`full_bytes`) is not all here yet. Show all
 * fetches what is missing, then renders the rest a piece at a time, a task each, so the page keeps
 * answering meanwhile. The pieces end where a block ends, as the streaming render's finished blocks
 * do (markdown-blocks.ts), so the result is what rendering the whole text gives.
 */
import { h } from "./dom.ts";
import { formatBytes } from "./format.ts";
import { renderMarkdown } from "./markdown.ts";
import { splitBlocks } from "./markdown-blocks.ts";
import { lexBlocks } from "./markdown-syntax.ts";

/** Longer answers (in characters) show their start only, until Show all. */
export const FOLD_OVER = 64_000;
/** About how much of a folded answer shows, and how much Show all renders per task. */
const PIECE = 24_000;

/** The length of the first piece of `text` to render on its own: whole blocks, about {@link PIECE} long. */
function pieceLength(text: string): number {
  if (text.length <= PIECE) return text.length;
  const { finishedLength } = splitBlocks(text.slice(0, PIECE));
  // One block longer than a piece (a very long code block) is a piece of its own.
  return finishedLength > 0 ? finishedLength : (lexBlocks(text)[0]?.raw.length ?? text.length);
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export interface LongText {
  /** The text the page has (all of it, or the start a read served). */
  text: string;
  /** The whole text's size in UTF-8 bytes when `text` is only its start. */
  fullBytes?: number | undefined;
  /** Reads the whole text (when `text` is only its start). */
  whole(): Promise<string>;
  /** The whole text is shown now (Copy copies it). */
  shown(text: string): void;
}

/** Renders the start of `long` as Markdown into `content`, and puts Show all after it. */
export function foldLongAnswer(content: HTMLElement, long: LongText): void {
  const first = pieceLength(long.text);
  content.replaceChildren(renderMarkdown(long.text.slice(0, first)));
  const bytes = long.fullBytes ?? new TextEncoder().encode(long.text).length;
  const button = h("button", { type: "button", class: "button small show-all" }, `Show all (${formatBytes(bytes)})`);
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.textContent = "Loading…";
    try {
      const text = long.fullBytes === undefined ? long.text : await long.whole();
      for (let at = first; at < text.length; ) {
        const length = pieceLength(text.slice(at));
        content.append(renderMarkdown(text.slice(at, at + length)));
        at += length;
        await nextTask();
      }
      long.shown(text);
      button.remove();
    } catch {
      button.disabled = false;
      button.textContent = "Show all (failed; try again)";
    }
  });
  content.after(button);
}

/** Puts Show all after a question whose text a read cut (`full_bytes`): the whole text replaces it. */
export function completeCutQuestion(content: HTMLElement, long: LongText): void {
  const button = h(
    "button",
    { type: "button", class: "button small show-all" },
    `Show all (${formatBytes(long.fullBytes ?? 0)})`,
  );
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const text = await long.whole();
      content.textContent = text;
      long.shown(text);
      button.remove();
    } catch {
      button.disabled = false;
    }
  });
  content.after(button);
}
