/**
 * Code blocks in answers, after sanitizing: a header with the fence's language and a Copy
 * button, and highlight.js colours. The classes it adds are the page's own: model output keeps
 * none (sanitize.ts).
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdownLanguage from "highlight.js/lib/languages/markdown";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { copyButton } from "./clipboard.ts";
import { CHUNK_LINES, chunkedMarkup, escapeCode } from "./code-chunks.ts";
import { h } from "./dom.ts";
import type { CodeSource } from "./markdown-syntax.ts";

// The core plus the languages chats usually show: the full bundle is about ten times larger.
const languages = { bash, c, cpp, css, diff, go, java, javascript, json, markdown: markdownLanguage, python, rust };
for (const [name, language] of Object.entries({ ...languages, shell, sql, typescript, xml, yaml })) {
  hljs.registerLanguage(name, language);
}

/** Whether `language` is one the page highlights; no guessing (highlightAuto runs every language). */
export function isHighlighted(language: string | undefined): language is string {
  return language !== undefined && hljs.getLanguage(language) !== undefined;
}

export interface HighlightedCode {
  /** highlight.js's markup: the text escaped, in `<span class="hljs-…">`s (the page's markup, not the model's). */
  html: string;
  /**
   * Whether the text ends outside every construct that spans lines (a block comment, a template
   * string): highlighting more text from here alone gives what highlighting all of it would.
   */
  settled: boolean;
}

/** Highlights `text` as `language`, which must be one the page highlights. */
export function highlightCode(text: string, language: string): HighlightedCode {
  const result = hljs.highlight(text, { language, ignoreIllegals: true });
  return { html: result.value, settled: result._top === hljs.getLanguage(language) };
}

/**
 * Gives a sanitized `<pre><code>` its header (the language, Copy) and the `hljs` class; returns
 * the block that took the `<pre>`'s place. Copy copies what the block shows, whenever pressed.
 */
export function frameCodeBlock(pre: HTMLElement, code: HTMLElement, language: string | undefined): HTMLElement {
  code.classList.add("hljs");
  const label = h("span", { class: "code-language" }, language ?? "text");
  const header = h(
    "div",
    { class: "code-header" },
    label,
    copyButton("Copy code", () => code.textContent ?? "", "Copy"),
  );
  const block = h("div", { class: "code-block" });
  pre.replaceWith(block);
  block.append(header, pre);
  return block;
}

/**
 * Decorates the `<pre><code>` blocks of a sanitized fragment. `codes` says what the renderer
 * wrote, in order; a block whose text does not match the next one (raw `<pre>` the model typed
 * itself) gets a Copy button but no language.
 */
export function decorateCodeBlocks(root: DocumentFragment | Element, codes: readonly CodeSource[]): void {
  let next = 0;
  for (const code of root.querySelectorAll<HTMLElement>("pre > code:only-child")) {
    const text = code.textContent ?? "";
    const source = codes[next]?.text === text ? codes[next++] : undefined;
    const language = source?.language;
    if (isHighlighted(language)) code.innerHTML = chunkedMarkup(highlightCode(text, language).html);
    else if (text.split("\n", CHUNK_LINES + 2).length > CHUNK_LINES) code.innerHTML = chunkedMarkup(escapeCode(text));
    frameCodeBlock(code.parentElement as HTMLElement, code, language);
  }
}
