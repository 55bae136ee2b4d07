/** The browser side of markdown-harness.ts: the UI's renderers, exposed as `window.markdownHarness`. */
import { renderMarkdown } from "../../ui/markdown.ts";
import { StreamingMarkdown } from "../../ui/streaming-markdown.ts";
import type { MarkdownHarness, Midway, StreamComparison } from "./markdown-harness.ts";

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
  return { streamed: streamedIn.innerHTML, whole: wholeIn.innerHTML, mostRenderedAgain };
}

/** Counts `selector` and joins its text, in `text` streamed up to `cut` and in `text[0, cut)` rendered whole. */
function midway(text: string, sizes: number[], cut: number, selector: string): Midway {
  const streamedIn = document.createElement("div");
  const markdown = new StreamingMarkdown(streamedIn);
  for (let at = 0, i = 0; at < cut; i++) {
    at = Math.min(cut, at + (sizes[i % sizes.length] ?? 1));
    markdown.update(text.slice(0, at));
  }
  const wholeIn = document.createElement("div");
  wholeIn.append(renderMarkdown(text.slice(0, cut)));
  const of = (root: HTMLElement) => {
    const found = [...root.querySelectorAll(selector)];
    return { count: found.length, text: found.map((element) => element.textContent ?? "").join("|") };
  };
  return { streamed: of(streamedIn), whole: of(wholeIn) };
}

(window as unknown as { markdownHarness: MarkdownHarness }).markdownHarness = { compare, midway };
