/**
 * TeX in answers: `$…$` and `\(…\)` inline, `$$…$$` and `\[…\]` as display math, rendered by
 * KaTeX as MathML only. MathML needs neither KaTeX's fonts nor inline styles, which the page's
 * CSP refuses (`style-src 'self'`), and Chromium renders it natively (MathML Core).
 */
import katex from "katex";
import type { TokenizerAndRendererExtension, Tokens } from "marked";

interface MathToken extends Tokens.Generic {
  type: "inlineMath" | "blockMath";
  tex: string;
  display: boolean;
}

/** TeX → MathML markup; a TeX error shows the source instead of throwing. */
export function texToMathml(tex: string, display: boolean): string {
  const markup = katex.renderToString(tex, {
    output: "mathml",
    displayMode: display,
    throwOnError: false,
    // No \href, \htmlClass, \includegraphics…: the TeX comes from the model.
    trust: false,
    strict: "ignore",
  });
  // The sanitizer drops <semantics> and <annotation> but keeps their text, so the TeX source
  // would show beside the formula: the annotation goes first (KaTeX's own escaped output).
  return markup.replace(/<annotation encoding="application\/x-tex">[\s\S]*?<\/annotation>/, "");
}

// Display math may span lines but not a blank line, so an unclosed `$$` in a streaming answer
// stays an open paragraph instead of swallowing the rest of the answer.
const block = /^ {0,3}(?:\$\$((?:(?!\n\s*\n)[\s\S])+?)\$\$|\\\[((?:(?!\n\s*\n)[\s\S])+?)\\\]) *(?:\n|$)/;
// `$…$` as pandoc reads it: no space just inside the dollars and no digit right after the
// closing one, so "costs $5 and $10" stays text.
const inline = /^(?:\$\$((?:\\.|[^$\\])+?)\$\$|\$(?!\s)((?:\\.|[^$\\\n])+?)(?<!\s)\$(?!\d)|\\\(([\s\S]+?)\\\))/;

function mathToken(raw: string, tex: string | undefined, type: MathToken["type"], display: boolean): MathToken {
  return { type, raw, tex: (tex ?? "").trim(), display };
}

const blockMath: TokenizerAndRendererExtension = {
  name: "blockMath",
  level: "block",
  start: (src) => src.match(/^ {0,3}(?:\$\$|\\\[)/m)?.index,
  tokenizer(src) {
    const match = block.exec(src);
    if (!match) return undefined;
    return mathToken(match[0], match[1] ?? match[2], "blockMath", true);
  },
  renderer: (token) => `<p>${texToMathml((token as MathToken).tex, true)}</p>\n`,
};

const inlineMath: TokenizerAndRendererExtension = {
  name: "inlineMath",
  level: "inline",
  start: (src) => src.match(/\$|\\\(/)?.index,
  tokenizer(src) {
    const match = inline.exec(src);
    if (!match) return undefined;
    const display = match[1] !== undefined;
    return mathToken(match[0], match[1] ?? match[2] ?? match[3], "inlineMath", display);
  },
  renderer: (token) => texToMathml((token as MathToken).tex, (token as MathToken).display),
};

/** The marked extensions for math. */
export const mathExtensions = [blockMath, inlineMath];
