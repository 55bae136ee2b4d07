/**
 * The streaming renderer gives the same DOM as rendering the whole answer at once, over a corpus
 * of answers (code in several languages, tables, lists, math, nested quotes, fences that close
 * late or never), whatever the cuts of the stream: one character at a time, the simulator's
 * 1–4 character tokens, and larger bursts. Midway, an open table, fence and list show what they
 * hold so far. And an update renders the new text, not the open block again.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../harness/stack/chromium.ts";
import { markdownCorpus } from "./markdown-corpus.ts";
import { loadMarkdownHarness, type MarkdownHarness } from "./markdown-harness.ts";

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
  await loadMarkdownHarness(page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** Calls the harness in the page. */
function harness<K extends keyof MarkdownHarness>(
  method: K,
  ...args: Parameters<MarkdownHarness[K]>
): Promise<ReturnType<MarkdownHarness[K]>> {
  return page.evaluate(
    ([method, args]) => {
      const calls = (window as unknown as { markdownHarness: Record<string, (...a: unknown[]) => unknown> })
        .markdownHarness;
      return calls[method]?.(...args);
    },
    [method, args] as const,
  ) as Promise<ReturnType<MarkdownHarness[K]>>;
}

const tokens = [3, 1, 4, 2];
const cuts: Record<string, number[]> = {
  "one character at a time": [1],
  "the simulator's tokens": tokens,
  bursts: [37, 5, 113, 2, 301],
};

for (const [name, text] of Object.entries(markdownCorpus)) {
  test(`${name}: streamed in any pieces, the DOM equals the whole render`, async () => {
    for (const [cutName, sizes] of Object.entries(cuts)) {
      const { streamed, whole } = await harness("compare", text, sizes);
      expect({ cutName, streamed }).toEqual({ cutName, streamed: whole });
    }
  }, 60_000);
}

test("an update renders the text that arrived and a bounded part before it, never a whole block again", async () => {
  const renderedAgain: Record<string, number> = {};
  for (const [name, text] of Object.entries(markdownCorpus)) {
    renderedAgain[name] = (await harness("compare", text, tokens)).mostRenderedAgain;
  }
  // The long fence (12K), the 300-row table (8K) and the long paragraphs (6–8K) included: at most a
  // paragraph's piece (1K) and a few lines; rendering an open block again would be its whole size.
  expect(Object.entries(renderedAgain).filter(([, characters]) => characters > 1_200)).toEqual([]);
  // The negative control: a blockquote has no renderer of its own, so it is rendered again whole.
  const quote = Array.from({ length: 60 }, (_, i) => `> line ${i} of a long quote`).join("\n");
  expect((await harness("compare", quote, tokens)).mostRenderedAgain).toBeGreaterThan(1_200);
}, 120_000);

/** The cut just after the `n`th line break of `text`. */
const afterLine = (text: string, n: number) => text.split("\n").slice(0, n).join("\n").length + 1;

/** The corpus's long fence with its statements indented: lines that start with text, not a highlight span. */
const indentedFence = () => (markdownCorpus["a fence that closes late"] as string).replace(/^(?=const )/gm, "  ");

test("a long code block is laid out in chunks of lines, the same in the streamed and the whole render", async () => {
  const fence = indentedFence();
  const { streamed, whole, textNodes } = await harness("compare", fence, tokens);
  // 400 lines, a chunk per 32 or so.
  expect(streamed.match(/class="code-chunk"/g)?.length ?? 0).toBeGreaterThanOrEqual(12);
  expect(streamed).toBe(whole);
  // Node for node too: the lines kept frame after frame join their text as one parse does.
  expect(textNodes[0]).toBe(textNodes[1]);
  // A short block has none.
  const short = (await harness("compare", "```ts\nconst a = 1;\n```", tokens)).streamed;
  expect(short).not.toContain("code-chunk");
}, 60_000);

test("closing a long fence leaves the lines already shown as they are: no pass over the whole block", async () => {
  const fence = indentedFence();
  // Streamed up to its closing line, then the closing line, what follows, and the answer's end.
  const closed = await harness("settledLines", fence, tokens, fence.lastIndexOf("\n```") + 1);
  expect(closed.noted).toBeGreaterThan(1_000);
  expect(closed.changed).toBe(0);
  // The negative control: a fence in a quote is rendered again whole, so its nodes all change
  // (in larger pieces: rendering it whole each time costs the square of its length).
  const quoted = fence.replace(/^/gm, "> ");
  const again = await harness("settledLines", quoted, [97], quoted.lastIndexOf("\n> ```") + 1);
  expect(again.noted).toBeGreaterThan(1_000);
  expect(again.changed).toBe(again.noted);
}, 60_000);

test("midway, an open table shows its rows, an open fence its code, an open list its items", async () => {
  const table = markdownCorpus["a 300-row table"] as string;
  const rows = await harness("midway", table, tokens, afterLine(table, 152), "tbody tr");
  expect(rows.streamed.count).toBe(150);
  expect(rows.streamed).toEqual(rows.whole);
  const fence = markdownCorpus["a fence that closes late"] as string;
  const code = await harness("midway", fence, tokens, afterLine(fence, 200), "pre code");
  expect(code.streamed.text.trimEnd()).toBe(code.whole.text.trimEnd());
  expect(code.streamed.text.split("\n").length).toBeGreaterThan(190);
  const list = Array.from({ length: 80 }, (_, i) => `- item ${i} with **bold** text`).join("\n");
  const items = await harness("midway", list, tokens, afterLine(list, 60), "li");
  expect(items.streamed).toEqual(items.whole);
  expect(items.streamed.count).toBe(60);
}, 60_000);
