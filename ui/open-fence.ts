/**
 * An open code fence (```lang … with no closing fence yet): its lines are appended as they come
 * and highlighted once each (code-lines.ts); the block ends at its closing fence line. It follows
 * marked's fence rules (GFM §4.5) for a fence that starts its line; an indented one is left to
 * the whole-block path.
 */
import type { Tokens } from "marked";
import { CodeLines } from "./code-lines.ts";
import { renderBlocks } from "./markdown.ts";
import { codeLanguage } from "./markdown-syntax.ts";
import type { OpenBlock, OpenBlockState } from "./open-block.ts";

// The opening line, complete: three or more backticks (no backtick in the info string) or tildes.
const OPENER = /^(`{3,}(?=[^`\n]*\n)|~{3,})[^\n]*\n/;

/** The code of a fence whose content (the lines after the opener) is `content`, as marked takes it. */
function codeText(content: string): string {
  // marked drops the line break before the closing fence (or the end), unless the code ends in a
  // blank line, whose line break it keeps.
  return content.endsWith("\n") && !content.endsWith("\n\n") && content !== "\n" ? content.slice(0, -1) : content;
}

export class OpenFence implements OpenBlock {
  /** Whether `text` starts with a complete opening fence line this renderer follows. */
  static accepts(text: string): boolean {
    return OPENER.test(text);
  }

  readonly nodes: readonly ChildNode[];
  readonly #openerLength: number;
  /** A line that closes this fence: its characters, as many or more, and nothing but spaces. */
  readonly #closer: RegExp;
  /** What a closing fence may look like while it is typed: indent, fence characters, spaces. */
  readonly #closerPrefix: RegExp;
  readonly #fenceLength: number;
  readonly #lines: CodeLines;
  /** Characters of the content whose lines were checked for the closing fence. */
  #checked = 0;

  constructor(info: string | undefined, text: string) {
    const opener = OPENER.exec(text) as RegExpExecArray;
    const fence = opener[1] as string;
    this.#openerLength = opener[0].length;
    this.#closer = new RegExp(`^ {0,3}${fence}${fence[0]}* *$`);
    this.#closerPrefix = new RegExp(`^ {0,3}(${fence[0]}*)( *)$`);
    this.#fenceLength = fence.length;
    // The frame of an empty block (header, Copy, <pre><code>), made as a whole render makes it.
    const frame = renderBlocks([{ type: "code", raw: "", lang: info, text: "" } satisfies Tokens.Code]);
    this.nodes = [...frame.childNodes];
    this.#lines = new CodeLines(frame.querySelector("code") as HTMLElement, codeLanguage(info));
  }

  get rendered(): number {
    return this.#lines.rendered;
  }

  get behind(): boolean {
    return this.#lines.behind;
  }

  update(text: string): OpenBlockState {
    const content = text.slice(this.#openerLength);
    const closing = this.#closingLine(content, false);
    if (closing === undefined) {
      this.#lines.show(content, this.#surelyCode(content));
      return { kind: "open" };
    }
    this.#lines.finish(codeText(content.slice(0, closing.start)));
    return { kind: "ended", length: this.#openerLength + closing.end, exact: true };
  }

  finish(text: string): boolean {
    const content = text.slice(this.#openerLength);
    const closing = this.#closingLine(content, true);
    this.#lines.finish(codeText(content.slice(0, closing?.start ?? content.length)));
    // Text after a closing fence is other blocks: the whole-block path renders it.
    return closing === undefined || closing.end === content.length;
  }

  /**
   * How much of `content` is surely code: whole lines, up to the line break before the last line
   * when that line may still become the closing fence (the line break before a closing fence is
   * not part of the code).
   */
  #surelyCode(content: string): number {
    const lastBreak = content.lastIndexOf("\n");
    if (lastBreak === -1) return 0;
    if (!this.#mayClose(content.slice(lastBreak + 1))) return lastBreak + 1;
    return content.lastIndexOf("\n", lastBreak - 1) + 1;
  }

  /** Whether `line`, still being written, may yet be a closing fence. */
  #mayClose(line: string): boolean {
    const match = this.#closerPrefix.exec(line);
    // Spaces after the fence characters end them: there must be enough already.
    return match !== null && (match[2] === "" || (match[1] ?? "").length >= this.#fenceLength);
  }

  /** The first line of `content` that closes the fence: complete lines only, unless `final`. */
  #closingLine(content: string, final: boolean): { start: number; end: number } | undefined {
    let start = this.#checked;
    for (;;) {
      const lineEnd = content.indexOf("\n", start);
      if (lineEnd === -1) break;
      if (this.#closer.test(content.slice(start, lineEnd))) return { start, end: lineEnd };
      start = lineEnd + 1;
    }
    this.#checked = start;
    if (final && start < content.length && this.#closer.test(content.slice(start))) {
      return { start, end: content.length };
    }
    return undefined;
  }
}
