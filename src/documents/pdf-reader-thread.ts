/**
 * The inside of the PDF reader: this module is a worker thread's entry point, so parsing a PDF
 * (CPU work that can take seconds for a large file) never holds the thread that relays tokens.
 * The main thread's side is pdf-reader.ts; one file is read at a time, in arrival order.
 */
import { parentPort } from "node:worker_threads";
import { extractPdfText, type PdfFailure, PdfTextError } from "./pdf-text.ts";

/** A file to read: its bytes (transferred) and the most characters its text may have. */
export interface ReadRequest {
  id: number;
  data: Uint8Array;
  maxChars: number;
}

export type ReadReply =
  | { id: number; ok: true; text: string; pages: number }
  | { id: number; ok: false; failure: PdfFailure; message: string };

const port = parentPort;
if (!port) throw new Error("pdf-reader-thread.ts runs only as a worker thread");

async function read(request: ReadRequest): Promise<ReadReply> {
  try {
    const { text, pages } = await extractPdfText(request.data, request.maxChars);
    return { id: request.id, ok: true, text, pages };
  } catch (error) {
    const known = error instanceof PdfTextError ? error : new PdfTextError("unreadable", String(error));
    return { id: request.id, ok: false, failure: known.failure, message: known.message };
  }
}

let queue = Promise.resolve();
port.on("message", (request: ReadRequest) => {
  queue = queue.then(async () => port.postMessage(await read(request)));
});
// PDF.js itself (some 1.6 MB of code) is loaded now, while the first file is still on its way.
void import("unpdf").then(({ getResolvedPDFJS }) => getResolvedPDFJS()).catch(() => {});
