/** The browser side of markdown-harness.ts: the UI's renderers, exposed as `window.markdownHarness`. */
import { renderMarkdown } from "../../ui/markdown.ts";
import { StreamingMarkdown } from "../../ui/streaming-markdown.ts";
import type { MarkdownHarness, Midway, SettledLines, StreamComparison } from "./markdown-harness.ts";

function compare(text: string, sizes: number[]): StreamComparison {
  const streamedIn = document.createElement("div");
  const markdown = new StreamingMarkdown(streamedIn);
  let mostRenderedAgain = 0;
  for (let at = 0, i = 0; at < text.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    const rendered = markdown.update(text.slice(0, at + size));
    mostRenderedAgain = Math.max(mostRenderedAgain, rendered - size);
    at += size;
  }
  markdown.finish(text);
  const wholeIn = document.createElement("div");
  wholeIn.append(renderMarkdown(text.replace(/\r\n?/g, "\n")));
  const textNodes = [textNodesIn(streamedIn), textNodesIn(wholeIn)] as const;
  return { streamed: streamedIn.innerHTML, whole: wholeIn.innerHTML, mostRenderedAgain, textNodes };
}

/** How many text nodes `root` holds: equal markup parsed at once never has two side by side. */
function textNodesIn(root: Node): number {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let count = 0;
  while (walker.nextNode()) count++;
  return count;
}

/** Counts `selector` and joins its text, in `text` streamed up to `cut` and in `text[0, cut)` rendered whole. */
function midway(text: string, sizes: number[], cut: number, selector: string): Midway {
  const streamedIn = streamedTo(text, sizes, cut).root;
  const wholeIn = document.createElement("div");
  wholeIn.append(renderMarkdown(text.slice(0, cut)));
  const of = (root: HTMLElement) => {
    const found = [...root.querySelectorAll(selector)];
    return { count: found.length, text: found.map((element) => element.textContent ?? "").join("|") };
  };
  return { streamed: of(streamedIn), whole: of(wholeIn) };
}

/** Streams `text` in pieces whose sizes cycle through `sizes`, up to `cut`: the renderer and its element. */
function streamedTo(text: string, sizes: number[], cut: number): { markdown: StreamingMarkdown; root: HTMLElement } {
  const root = document.createElement("div");
  const markdown = new StreamingMarkdown(root);
  for (let at = 0, i = 0; at < cut; i++) {
    at = Math.min(cut, at + (sizes[i % sizes.length] ?? 1));
    markdown.update(text.slice(0, at));
  }
  return { markdown, root };
}

/**
 * Streams `text` up to `cut`, notes the text nodes of its code blocks' finished chunks, then
 * streams the rest and finishes: how many of those nodes were left out or changed.
 */
function settledLines(text: string, sizes: number[], cut: number): SettledLines {
  const { markdown, root } = streamedTo(text, sizes, cut);
  const noted = new Map<Text, string>();
  for (const code of root.querySelectorAll("pre code")) {
    // Not the last two: the lines shown plain, and the chunk that takes more kept lines.
    const chunks = [...code.querySelectorAll(":scope > .code-chunk")].slice(0, -2);
    for (const chunk of chunks) {
      const walker = document.createTreeWalker(chunk, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) noted.set(node as Text, (node as Text).data);
    }
  }
  markdown.update(text);
  markdown.finish(text);
  const changed = [...noted].filter(([node, data]) => !root.contains(node) || node.data !== data).length;
  return { noted: noted.size, changed };
}

(window as unknown as { markdownHarness: MarkdownHarness }).markdownHarness = { compare, midway, settledLines };
