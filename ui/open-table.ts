/**
 * An open table: its header is rendered once, then each row as its line completes. A row shows
 * once its line is complete, not while it is typed: any change to a table has the browser lay out
 * all of it again (its columns fit every row), so the table changes once per row, not per frame.
 * Whether a line is a row of the table depends on that
 * line alone in GFM (a blank line or the start of another block ends the rows), so each row is
 * rendered from the header and that line, as the whole table would render it.
 */
import type { Tokens } from "marked";
import { renderBlocks } from "./markdown.ts";
import { lexBlocks } from "./markdown-syntax.ts";
import type { OpenBlock, OpenBlockState } from "./open-block.ts";

// A burst of rows (a resumed stream replays everything at once) is added over several frames.
const FRAME_BUDGET_MS = 6;

export class OpenTable implements OpenBlock {
  /** Whether `text`'s header and delimiter lines are complete (a partial delimiter may still change the alignment). */
  static accepts(text: string): boolean {
    return text.indexOf("\n", text.indexOf("\n") + 1) !== -1;
  }

  readonly nodes: readonly ChildNode[];
  /** The header and delimiter lines, with their line breaks. */
  readonly #head: string;
  readonly #table: HTMLTableElement;
  /** Where the text after the last complete row starts. */
  #rowsEnd: number;
  rendered = 0;
  behind = false;

  constructor(text: string) {
    this.#rowsEnd = text.indexOf("\n", text.indexOf("\n") + 1) + 1;
    this.#head = text.slice(0, this.#rowsEnd);
    const frame = renderBlocks(lexBlocks(this.#head));
    this.#table = frame.querySelector("table") as HTMLTableElement;
    this.nodes = [...frame.childNodes];
  }

  update(text: string): OpenBlockState {
    return this.#addRows(text, FRAME_BUDGET_MS);
  }

  finish(text: string): boolean {
    if (this.#addRows(text, Number.POSITIVE_INFINITY).kind !== "open") return false;
    const last = text.slice(this.#rowsEnd);
    if (last === "") return true;
    const row = this.#row(last);
    // A last line that is not a row is another block after the table: the whole text renders it.
    if (row) this.#append(row);
    return row !== undefined;
  }

  /** Adds the rows of `text`'s complete lines, for at most `budgetMs`; the rest waits for the next frame. */
  #addRows(text: string, budgetMs: number): OpenBlockState {
    this.rendered = 0;
    this.behind = false;
    const started = performance.now();
    for (let lineEnd = text.indexOf("\n", this.#rowsEnd); lineEnd !== -1; lineEnd = text.indexOf("\n", this.#rowsEnd)) {
      if (performance.now() - started > budgetMs) {
        this.behind = true;
        break;
      }
      const row = this.#row(text.slice(this.#rowsEnd, lineEnd));
      if (!row) return { kind: "ended", length: this.#rowsEnd, exact: true };
      this.#append(row);
      this.#rowsEnd = lineEnd + 1;
    }
    return { kind: "open" };
  }

  /** The nodes of `line` as a row of this table (the `<tbody>` for the first row); undefined if it is none. */
  #row(line: string): ChildNode[] | undefined {
    this.rendered += this.#head.length + line.length;
    const blocks = lexBlocks(this.#head + line);
    const table = blocks[0] as Tokens.Table | undefined;
    if (table?.type !== "table" || table.rows.length !== 1 || blocks.some((b, i) => i > 0 && b.type !== "space")) {
      return undefined;
    }
    const body = renderBlocks([table]).querySelector("tbody");
    if (!body) return undefined;
    return this.#table.tBodies.length === 0 ? [body] : [...body.childNodes];
  }

  /** Appends a row's nodes where they belong. */
  #append(nodes: ChildNode[]): void {
    (this.#table.tBodies[0] ?? this.#table).append(...nodes);
  }
}
