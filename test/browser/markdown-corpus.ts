/**
 * Markdown answers that exercise every open-block renderer and the places where one block becomes
 * another: code in several languages (with constructs that span lines), fences that close late or
 * never, tables, lists that turn loose, math, nested quotes, long paragraphs, setext headings.
 */

const typescript = [
  "```ts",
  "/** A block comment",
  " * over three lines. */",
  "export function greet(name: string): string {",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source in an answer, not a template of ours
  "  const message = `Hello, ${name}!",
  "second line of a template`;",
  "  return message; // done",
  "}",
  "```",
].join("\n");

const python = [
  "```python",
  "def area(radius: float) -> float:",
  '    """Returns the area.',
  "",
  '    A docstring over several lines."""',
  "    return 3.14159 * radius ** 2  # approximate",
  "",
  "",
  "print(area(2))",
  "```",
].join("\n");

const rust = ["```rust", "fn main() {", '    let s = r#"raw', 'string"#;', '    println!("{}", s);', "}", "```"].join(
  "\n",
);

const manyLanguages = [
  '```go\npackage main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi") /* a\nb */\n}\n```',
  '```bash\nfor f in *.ts; do\n  echo "$f" # each\ndone\n```',
  '```json\n{\n  "name": "sluice",\n  "list": [1, 2, {"a": null}]\n}\n```',
  "```css\n.a {\n  color: red; /* comment\n  spans */\n}\n@media (max-width: 10px) {\n  .b { display: none }\n}\n```",
  '```html\n<!-- a comment\nover lines -->\n<div class="x">\n  <script>let a = 1;\n  </script>\n</div>\n```',
  "```sql\nSELECT id, name -- the columns\nFROM users\nWHERE name LIKE 'a%\nb';\n```",
  "```yaml\nkey: value\nlist:\n  - a\n  - |\n    block text\n    continues\n```",
  "```\nno language\n  <b>not bold</b> & escaped\n```",
  '```haskell\nmain = putStrLn "unknown to the page"\n```',
  "~~~java\nclass A {\n  /** doc */\n  int x = 1;\n}\n~~~",
  "````md\n```\ninner fence stays code\n```\n````",
  "```js\nconst a = 1;\n``````",
  "```\n```",
  "```\nends in blank lines\n\n\n```",
  '```ts title="x.ts"\nlet labelled = true;\n```',
].join("\n\n");

/** A fence of `lines` lines of code, closed only after all of them. */
const longFence = (lines: number) =>
  [
    "```typescript",
    ...Array.from({ length: lines }, (_, i) =>
      i % 9 === 4
        ? `/* comment ${i}`
        : i % 9 === 5
          ? `  still comment ${i} */`
          : `const v${i} = f(${i}, "s${i}"); // ${i}`,
    ),
    "```",
  ].join("\n");

const tables = [
  "| Left | Centre | Right | Plain |",
  "|:---|:---:|---:|---|",
  "| **bold** | `code` | 1.5 | [link](https://example.org) |",
  "| a \\| pipe | $x^2$ | 2 |",
  "| too | many | cells | here | extra |",
  "",
  "| a | b |",
  "|---|---|",
  "| 1 | 2 |",
  "## A heading right after a table",
  "",
  "| x |",
  "| - |",
  "| only row |",
  "text that is a row too",
  "- but a list ends it",
].join("\n");

const lists = [
  "- tight one",
  "- tight two with *emphasis*",
  "  - nested",
  "    - deeper",
  "- [x] a task",
  "- [ ] another task",
  "",
  "3. starts at three",
  "4. four",
  "",
  "   with a paragraph in it",
  "5. five, now the list is loose",
  "   ```python",
  "   print('code in an item')",
  "   ```",
  "",
  "* another bullet ends the last list",
  "+ and another",
  "",
  "1. one",
  "1. one again",
  "",
  "after the lists, a paragraph",
].join("\n");

const looseTasks = ["- [x] done", "", "- [ ] loose task", "- plain"].join("\n");

const math = [
  "Inline $E = mc^2$ and \\(a^2 + b^2\\), prices $5 and $10.",
  "",
  "$$",
  "\\int_0^1 x^2\\,dx = \\frac{1}{3}",
  "$$",
  "",
  "\\[\\sum_{k=1}^{n} k\\]",
  "",
  "- item with $\\alpha$",
  "",
  "| f | value |",
  "|---|---|",
  "| $\\beta$ | 2 |",
].join("\n");

const quotes = [
  "> a quote",
  "lazy continuation",
  "> > nested once",
  "> > > nested twice",
  "> back to one",
  ">",
  "> - a list in a quote",
  "> - two",
  ">",
  "> ```js",
  "> let inQuote = 1;",
  "> ```",
  "",
  "> another quote",
].join("\n");

/** A paragraph of `sentences` sentences on soft-broken lines, with emphasis and links across pieces. */
function longParagraph(sentences: number): string {
  const parts = Array.from({ length: sentences }, (_, i) => {
    if (i === 3) return "This sentence starts **bold text that";
    if (i === 40) return "runs on for many lines** and ends here.";
    if (i === 60) return "A [link whose text";
    if (i === 61) return "spans a line](https://example.org/x) ends.";
    return `Sentence ${i} says something about rivers, with \`code ${i}\` and _care_.`;
  });
  // Some sentences on their own lines (soft breaks), most running on in one long line.
  return parts
    .map((part, i) => (i % 5 === 4 ? `${part}\n` : `${part} `))
    .join("")
    .trimEnd();
}

const paragraphs = [
  longParagraph(120),
  "",
  "A paragraph that becomes",
  "a setext heading",
  "===",
  "",
  "Another one",
  "---",
  "",
  "A paragraph",
  "- interrupted by a list",
  "",
  "A paragraph",
  "# interrupted by a heading",
  "A paragraph",
  "```",
  "interrupted by a fence",
  "```",
  "A paragraph before a table",
  "| a | b |",
  "|---|---|",
  "| 1 | 2 |",
  "",
  "Line with two trailing spaces  ",
  "makes a break.\\",
  "So does a backslash.",
  "",
  "    indented code",
  "    after a blank line",
  "",
  "A paragraph",
  "    with an indented continuation",
  "",
  "***",
  "",
  "<div>",
  "an html block",
  "</div>",
  "",
  "Last words.",
].join("\n");

/** Named answers: each is streamed on its own, and some end inside an open block. */
export const markdownCorpus: Record<string, string> = {
  "code in several languages": [typescript, python, rust, manyLanguages].join("\n\nBetween blocks.\n\n"),
  "a fence that closes late": `Intro.\n\n${longFence(400)}\n\nAfter the fence.`,
  "a fence that never closes": `Intro.\n\n${longFence(150).slice(0, -4)}`,
  "a fence that never closes, in a comment": "```ts\nlet a = 1;\n/* never\nclosed",
  "a fence that ends with a blank line": "```py\nx = 1\n\n",
  "an empty fence at the end": "```sh\n",
  tables: tables,
  "a table that never ends": `${tables.split("\n").slice(0, 4).join("\n")}\n| last | row`,
  "a 300-row table": [
    "| # | name | value |",
    "|--:|:----|:---:|",
    ...Array.from({ length: 300 }, (_, n) => `| ${n} | item ${n} *${n % 3}* | ${n * 2} |`),
  ].join("\n"),
  lists: lists,
  "a loose task list": looseTasks,
  "a list that never ends": "1. first\n2. second\n   - nested\n3. third, still being",
  math: math,
  "nested quotes": quotes,
  paragraphs: paragraphs,
  "a long paragraph that never ends": longParagraph(90),
  "reference definitions":
    "See [the docs][d] and [this][].\n\n[d]: https://example.org/docs\n[this]: https://example.org",
  "line ends as CR LF":
    "# Title\r\n\r\n- one\r\n- two\r\n\r\n```js\r\nlet a = 1;\r\n```\r\n\r\n| a |\r\n|---|\r\n| 1 |\r\n",
};
