/**
 * Documents through the app, over real sockets: one question at a time with one document (the
 * PDF, or the same lines as text), timed from the POST to its 202 (the body read, the file
 * decoded and judged, a PDF's text read in the worker, the question stored, the answer started),
 * while a client asks `/healthz` every 10 ms: its slowest answer is how long the app's event loop
 * (every stream it relays) waited meanwhile.
 */
import { callJson } from "../../harness/client/api.ts";
import { filePart, textPart } from "../../harness/client/file-parts.ts";
import type { SampleFiles } from "./sample-files.ts";

export interface IngestFigures {
  /** POST → 202, ms. */
  ms: number;
  /** The slowest `/healthz` answer meanwhile, ms. */
  maxHealthMs: number;
}

/** Asks `/healthz` every 10 ms until `until` settles; the slowest answer, ms. */
async function slowestHealth(base: string, until: Promise<unknown>): Promise<number> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  let slowest = 0;
  while (!done) {
    const started = performance.now();
    await fetch(`${base}/healthz`).then((response) => response.arrayBuffer());
    slowest = Math.max(slowest, performance.now() - started);
    await Bun.sleep(10);
  }
  return slowest;
}

/** One question with `file` in a new conversation of the user with `token`. */
async function ingest(base: string, token: string, file: ReturnType<typeof filePart>): Promise<IngestFigures> {
  const options = { token, timeoutMs: 600_000 };
  const { json } = await callJson(base, "POST", "/api/conversations", {}, options);
  const body = { conversationId: json.id, parentId: null, content: [textPart("/sim tokens=1\nRead it."), file] };
  const started = performance.now();
  const posted = callJson(base, "POST", "/api/chat", body, options).then((answer) => {
    if (answer.status !== 202)
      throw new Error(`POST /api/chat answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    return performance.now() - started;
  });
  const [ms, maxHealthMs] = await Promise.all([posted, slowestHealth(base, posted)]);
  return { ms, maxHealthMs };
}

/** One round: the PDF, then the same lines as a text file. */
export async function ingestOverHttp(base: string, token: string, files: SampleFiles) {
  const pdf = await ingest(base, token, filePart("sample.pdf", files.pdf, "application/pdf"));
  const text = await ingest(base, token, filePart("sample.txt", files.text, "text/plain"));
  return { pdf, text };
}
