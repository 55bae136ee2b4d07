/**
 * The main thread's side of the PDF reader: files go to one worker thread (pdf-reader-thread.ts)
 * one at a time, each with DOCUMENT_READ_TIMEOUT_MS of its own time; a file that takes longer
 * (a parser trap, a page of a million glyphs) has its worker ended and is refused, and the next
 * file gets a new worker. The worker starts with the first PDF, not with the server. One user
 * may have at most `maxPerUser` files in it at once (one question's worth), so nobody's uploads
 * fill the queue for everyone.
 */
import { Worker } from "node:worker_threads";
import { DocumentReaderBusyError } from "./document-errors.ts";
import type { ReadReply, ReadRequest } from "./pdf-reader-thread.ts";
import { type PdfText, PdfTextError } from "./pdf-text.ts";

export interface PdfReaderSettings {
  /** The longest one file may take to read, in the worker (DOCUMENT_READ_TIMEOUT_MS). */
  timeoutMs: number;
  /** Files waiting behind the one being read; past it, 429 server_busy_documents. */
  maxQueued: number;
  /** Files of one user waiting or being read; past it, 429 server_busy_documents. */
  maxPerUser: number;
}

/** Reads PDFs' text off the main thread. */
export interface PdfReader {
  /**
   * The text of `data` (transferred to the worker: the caller must not use it after), for user
   * `owner`; throws {@link PdfTextError}, or 429 when the queue (or the user's share) is full.
   */
  read(data: Uint8Array, maxChars: number, owner: string): Promise<PdfText>;
  close(): Promise<void>;
}

interface Job {
  request: ReadRequest;
  resolve: (text: PdfText) => void;
  reject: (error: unknown) => void;
}

/** A reader whose worker starts on the first file. */
export function createPdfReader(settings: PdfReaderSettings): PdfReader {
  return new WorkerPdfReader(settings);
}

class WorkerPdfReader implements PdfReader {
  readonly #waiting: Job[] = [];
  readonly #perUser = new Map<string, number>();
  #worker: Worker | undefined;
  #running: { job: Job; timer: ReturnType<typeof setTimeout> } | undefined;
  #nextId = 1;

  constructor(readonly settings: PdfReaderSettings) {}

  async read(data: Uint8Array, maxChars: number, owner: string): Promise<PdfText> {
    const held = this.#perUser.get(owner) ?? 0;
    if (this.#waiting.length >= this.settings.maxQueued || held >= this.settings.maxPerUser)
      throw new DocumentReaderBusyError();
    // Its own buffer, whole, so it can be transferred: `data` may be a view into a larger one.
    const owned = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
    this.#perUser.set(owner, held + 1);
    try {
      return await new Promise<PdfText>((resolve, reject) => {
        this.#waiting.push({ request: { id: this.#nextId++, data: owned, maxChars }, resolve, reject });
        this.#next();
      });
    } finally {
      const left = (this.#perUser.get(owner) ?? 1) - 1;
      if (left > 0) this.#perUser.set(owner, left);
      else this.#perUser.delete(owner);
    }
  }

  async close(): Promise<void> {
    const closing = new PdfTextError("unreadable", "the server is shutting down");
    for (const job of this.#waiting.splice(0)) job.reject(closing);
    this.#finish((job) => job.reject(closing));
    const ending = this.#worker;
    this.#worker = undefined;
    await ending?.terminate();
  }

  #workerNow(): Worker {
    if (this.#worker) return this.#worker;
    const started = new Worker(new URL("./pdf-reader-thread.ts", import.meta.url));
    // Idle, it must not keep the process alive; close() ends it on shutdown.
    started.unref();
    started.on("message", (reply: ReadReply) => this.#settle(reply));
    started.on("error", (cause) => {
      if (this.#worker === started) this.#worker = undefined;
      this.#fail(new PdfTextError("unreadable", "the PDF reader failed on it", { cause }));
    });
    started.on("exit", () => {
      if (this.#worker === started) this.#worker = undefined;
    });
    this.#worker = started;
    return started;
  }

  #next(): void {
    if (this.#running) return;
    const job = this.#waiting.shift();
    if (!job) return;
    const timer = setTimeout(() => {
      // Stuck on this file: the worker goes with it, and the next file gets a new one.
      const stuck = this.#worker;
      this.#worker = undefined;
      void stuck?.terminate();
      this.#fail(new PdfTextError("unreadable", `reading it took longer than ${this.settings.timeoutMs} ms`));
    }, this.settings.timeoutMs);
    this.#running = { job, timer };
    try {
      this.#workerNow().postMessage(job.request, [job.request.data.buffer as ArrayBuffer]);
    } catch (cause) {
      this.#fail(new PdfTextError("unreadable", "the file could not be handed to the PDF reader", { cause }));
    }
  }

  #finish(outcome: (job: Job) => void): void {
    if (!this.#running) return;
    const { job, timer } = this.#running;
    clearTimeout(timer);
    this.#running = undefined;
    outcome(job);
    this.#next();
  }

  #settle(reply: ReadReply): void {
    if (this.#running?.job.request.id !== reply.id) return;
    this.#finish((job) =>
      reply.ok
        ? job.resolve({ text: reply.text, pages: reply.pages })
        : job.reject(new PdfTextError(reply.failure, reply.message)),
    );
  }

  #fail(error: PdfTextError): void {
    this.#finish((job) => job.reject(error));
  }
}
