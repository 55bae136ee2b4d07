/**
 * Model output → safe HTML. Markdown is rendered first (marked, code through highlight.js) and
 * the result sanitized last by DOMPurify, because the model's text is untrusted: whatever
 * markup it produces, no script, handler or javascript: link may survive.
 */
import DOMPurify from "dompurify";
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
import { Marked } from "marked";

// The core plus the languages chats usually show: the full bundle is about ten times larger.
const languages = { bash, c, cpp, css, diff, go, java, javascript, json, markdown: markdownLanguage, python, rust };
for (const [name, language] of Object.entries({ ...languages, shell, sql, typescript, xml, yaml })) {
  hljs.registerLanguage(name, language);
}

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => escapes[char] ?? char);

function highlight(code: string, lang: string | undefined): string {
  const name = lang?.trim().split(/\s+/)[0]?.toLowerCase();
  const language = name && hljs.getLanguage(name) ? name : undefined;
  // No guessing (highlightAuto) for unlabelled code: it would run every language on every frame.
  const body = language ? hljs.highlight(code, { language, ignoreIllegals: true }).value : escapeHtml(code);
  const label = language ? ` language-${language}` : "";
  return `<pre><code class="hljs${label}">${body}</code></pre>\n`;
}

const marked = new Marked({ gfm: true, async: false });
marked.use({ renderer: { code: ({ text, lang }) => highlight(text, lang) } });

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  // Links open apart from the chat, and tell the target nothing about it.
  if (node.tagName === "A" && node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

const purifyOptions = {
  USE_PROFILES: { html: true },
  // Forms and inline styles have no place in an answer (and the page's CSP refuses inline styles).
  FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "option"],
  FORBID_ATTR: ["style"],
};

/** Renders Markdown to sanitized HTML, ready for `innerHTML`. */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text) as string;
  return DOMPurify.sanitize(html, purifyOptions);
}
