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
import { h } from "./dom.ts";
import type { CodeSource } from "./markdown-syntax.ts";

// The core plus the languages chats usually show: the full bundle is about ten times larger.
const languages = { bash, c, cpp, css, diff, go, java, javascript, json, markdown: markdownLanguage, python, rust };
for (const [name, language] of Object.entries({ ...languages, shell, sql, typescript, xml, yaml })) {
  hljs.registerLanguage(name, language);
}

/**
 * Decorates the `<pre><code>` blocks of a sanitized fragment. `codes` says what the renderer
 * wrote, in order; a block whose text does not match the next one (raw `<pre>` the model typed
 * itself) gets a Copy button but no language.
 */
export function decorateCodeBlocks(root: DocumentFragment | Element, codes: readonly CodeSource[]): void {
  let next = 0;
  for (const code of root.querySelectorAll<HTMLElement>("pre > code:only-child")) {
    const pre = code.parentElement as HTMLElement;
    const text = code.textContent ?? "";
    const source = codes[next]?.text === text ? codes[next++] : undefined;
    const language = source?.language;
    // Only a registered language is highlighted; no guessing (highlightAuto runs every language).
    if (language && hljs.getLanguage(language)) {
      // hljs escapes the text and adds only <span class="hljs-…">: the page's markup, not the model's.
      code.innerHTML = hljs.highlight(text, { language, ignoreIllegals: true }).value;
    }
    code.classList.add("hljs");
    const label = h("span", { class: "code-language" }, language ?? "text");
    const header = h(
      "div",
      { class: "code-header" },
      label,
      copyButton("Copy code", () => text, "Copy"),
    );
    const block = h("div", { class: "code-block" });
    pre.replaceWith(block);
    block.append(header, pre);
  }
}
