/**
 * The streaming renderer keeps finished blocks and renders only the open one again. Rendered that
 * way at every cut of the text, the answer must come out exactly as the whole text renders at once.
 */
import { expect, test } from "bun:test";
import { splitBlocks } from "../../ui/markdown-blocks.ts";
import { blocksToHtml, markdownToHtml } from "../../ui/markdown-syntax.ts";
import { markdownAnswer } from "./answer-text.ts";

/** What StreamingMarkdown shows after receiving `text` in pieces ending at `cuts`. */
function streamed(text: string, cuts: number[]): string {
  let finishedHtml = "";
  let finishedLength = 0;
  let openHtml = "";
  for (const cut of [...cuts, text.length]) {
    const split = splitBlocks(text.slice(finishedLength, cut));
    finishedHtml += blocksToHtml(split.finished).html;
    finishedLength += split.finishedLength;
    openHtml = blocksToHtml(split.open).html;
  }
  return finishedHtml + openHtml;
}

const edgeCases = [
  "- a\n- b\n\n- c after a blank line\n\ntext",
  "```js\nlet a = 1;\n\n\nlet b = 2;\n```\nafter",
  "Title\n===\n\npara\n---\n",
  "    indented code\n\n    more code\n\nend",
  "> quote\nlazy line\n\n> another",
  "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\nafter",
  "$$\nx^2\n$$\n\n\\[ y \\]\n\ninline $a$ and \\(b\\)",
  "<div>\nhtml block\n</div>\n\n* star\n* list",
];

test("streamed block by block, every edge case renders as the whole text does, at every cut", () => {
  for (const text of edgeCases) {
    const whole = markdownToHtml(text).html;
    for (let cut = 0; cut <= text.length; cut++) {
      expect(streamed(text, [cut])).toBe(whole);
      // Two cuts: the first block may be finished at the first one.
      expect(streamed(text, [Math.floor(cut / 2), cut])).toBe(whole);
    }
  }
});

test("a long answer cut into 1-4 character tokens renders as the whole text does", () => {
  const text = markdownAnswer(6_000);
  const cuts: number[] = [];
  for (let at = 0, i = 0; at < text.length; i++) {
    at += [3, 1, 4, 2][i % 4] ?? 1;
    cuts.push(at);
  }
  expect(streamed(text, cuts)).toBe(markdownToHtml(text).html);
});

test("only the last block stays open, and blank lines after it keep it open", () => {
  expect(splitBlocks("para one\n\npara two").open.map((block) => block.type)).toEqual(["paragraph"]);
  expect(splitBlocks("- a\n\n").open.map((block) => block.type)).toEqual(["list", "space"]);
  expect(splitBlocks("```\nopen fence\n\nstill code").finished).toEqual([]);
});
