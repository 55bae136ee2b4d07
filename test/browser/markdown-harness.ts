/**
 * The page's Markdown renderers in a bare Chromium page, for tests that compare streamed and
 * whole renders over many cuts of a text. Bundled from the UI's own modules (the same code the
 * chat runs); `window.markdownHarness` is what the tests call through page.evaluate.
 */
import type { Page } from "playwright-core";

const entry = new URL("./markdown-harness-entry.ts", import.meta.url).pathname;

export interface StreamComparison {
  /** innerHTML after streaming the text in pieces and finishing it. */
  streamed: string;
  /** innerHTML of the same text rendered at once. */
  whole: string;
  /** The largest number of characters one update rendered beyond the new text. */
  mostRenderedAgain: number;
  /** Text nodes in the streamed and the whole render. */
  textNodes: readonly [number, number];
}

/** What `selector` finds in a streamed and a whole render: how many, and their text joined. */
export interface Midway {
  streamed: { count: number; text: string };
  whole: { count: number; text: string };
}

/** Text nodes of code blocks' finished chunks noted midway, and how many of them the rest changed. */
export interface SettledLines {
  noted: number;
  changed: number;
}

export interface MarkdownHarness {
  /** Streams `text` in pieces whose sizes cycle through `sizes`, then finishes it. */
  compare(text: string, sizes: number[]): StreamComparison;
  /** Streams `text` up to `cut` only, and renders `text[0, cut)` at once: what `selector` finds in each. */
  midway(text: string, sizes: number[], cut: number, selector: string): Midway;
  /**
   * Streams `text` up to `cut`, then the rest, and finishes it: the text nodes in the finished
   * chunks of its code blocks at `cut`, and how many of them the rest removed or changed.
   */
  settledLines(text: string, sizes: number[], cut: number): SettledLines;
}

/** Loads the renderers into `page` (about:blank is enough). */
export async function loadMarkdownHarness(page: Page): Promise<void> {
  const build = await Bun.build({ entrypoints: [entry], target: "browser", format: "iife", minify: true });
  if (!build.success) throw new Error(build.logs.join("\n"));
  const script = await build.outputs[0]?.text();
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ content: script });
}
