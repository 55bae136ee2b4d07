/**
 * Reading documents in this process, side by side: a PDF's text read on the calling thread
 * (`extractPdfText`, what the server never does) and through the reader's worker thread (what it
 * does), and a text file judged and decoded; for each, the time per million characters read and
 * the longest the calling thread's event loop was held meanwhile (a 5 ms timer's worst lateness),
 * which is what every stream of a server would wait.
 */
import { pdfFile } from "../../harness/pdf-file.ts";
import { judgeDocument } from "../../src/documents/document-kind.ts";
import { createPdfReader } from "../../src/documents/pdf-reader.ts";
import { extractPdfText } from "../../src/documents/pdf-text.ts";
import type { SampleFiles } from "./sample-files.ts";

export interface ReadFigures {
  /** Wall time of the read, ms. */
  ms: number;
  /** Characters read. */
  characters: number;
  /** The calling thread's event loop: the worst lateness of a 5 ms timer during the read, ms. */
  maxLoopLagMs: number;
}

const TICK_MS = 5;

/** Runs `read` while a 5 ms timer measures how late the event loop lets it fire. */
async function withLoopLag(read: () => Promise<number>): Promise<ReadFigures> {
  let worst = 0;
  let expected = performance.now() + TICK_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    expected = now + TICK_MS;
  }, TICK_MS);
  const started = performance.now();
  try {
    const characters = await read();
    // A read that never yields to timers (PDF.js on the calling thread runs on promises alone)
    // holds the tick due since `expected` until now.
    const ended = performance.now();
    return { ms: ended - started, characters, maxLoopLagMs: Math.max(worst, ended - expected) };
  } finally {
    clearInterval(timer);
  }
}

/** One round of the three reads of `files`. */
export async function readInProcess(
  files: SampleFiles,
): Promise<Record<"pdfInline" | "pdfWorker" | "text", ReadFigures>> {
  const limit = files.text.length * 2;
  // PDF.js is loaded once per process (and per worker), not per file: that cost is not counted.
  await extractPdfText(pdfFile([["warm-up"]]), 100);
  const pdfInline = await withLoopLag(async () => (await extractPdfText(files.pdf.slice(), limit)).text.length);
  const reader = createPdfReader({ timeoutMs: 600_000, maxQueued: 1, maxPerUser: 1 });
  try {
    await reader.read(pdfFile([["warm-up"]]), 100, "warm-up");
    const pdfWorker = await withLoopLag(async () => (await reader.read(files.pdf.slice(), limit, "bench")).text.length);
    const bytes = new TextEncoder().encode(files.text);
    const text = await withLoopLag(async () => {
      const judged = judgeDocument(bytes);
      return judged.kind === "text" ? judged.text.length : 0;
    });
    return { pdfInline, pdfWorker, text };
  } finally {
    await reader.close();
  }
}
