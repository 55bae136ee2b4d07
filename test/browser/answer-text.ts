/** Markdown answers for the rendering tests: every kind of block, cut anywhere by the stream. */

const section = (i: number) =>
  [
    `## Section ${i}`,
    "",
    `A paragraph with **bold**, \`code\`, a [link](https://example.org/${i}) and math $x_${i}^2$.`,
    "",
    "- first item",
    "- second item with a longer line of text",
    "  - nested item",
    "",
    "1. one",
    "2. two",
    "",
    "```ts",
    `const value${i} = compute(${i});`,
    "",
    `console.log(value${i});`,
    "```",
    "",
    "| Column | Value |",
    "|---|---|",
    `| row | ${i} |`,
    "",
    "> A quote that goes on",
    "lazily on the next line.",
    "",
    "- [x] done",
    "- [ ] to do",
    "",
  ].join("\n");

/** A Markdown answer of at least `length` characters. */
export function markdownAnswer(length: number): string {
  let text = "";
  for (let i = 0; text.length < length; i++) text += section(i);
  return text;
}
