/**
 * Why a document sent with a question is refused. Each names the part it is about (`field`), so a
 * client can say which of several files was at fault; nothing of a refused question is stored.
 */
import { SluiceError } from "../errors.ts";

/** Neither a PDF nor text, or a PDF that cannot be read: 400. */
export class DocumentUnreadableError extends SluiceError {
  override name = "DocumentUnreadableError";
  constructor(field: string, reason: string, cause?: unknown) {
    super("document_unreadable", `${field}: ${reason}`, 400, { field, cause });
  }
}

/** A file larger than DOCUMENT_MAX_BYTES: 413. */
export class DocumentTooLargeError extends SluiceError {
  override name = "DocumentTooLargeError";
  constructor(field: string, limit: number) {
    super("document_too_large", `${field}: a document may be at most ${limit} bytes`, 413, { field });
  }
}

/** Text longer than DOCUMENT_MAX_CHARS once extracted: 413. */
export class DocumentTooLongError extends SluiceError {
  override name = "DocumentTooLongError";
  constructor(field: string, limit: number) {
    super("document_too_long", `${field}: a document's text may be at most ${limit} characters`, 413, { field });
  }
}

/** More PDFs waiting to be read than the reader queues: 429, retry shortly. */
export class DocumentReaderBusyError extends SluiceError {
  override name = "DocumentReaderBusyError";
  constructor() {
    super("server_busy_documents", "the server is reading as many PDFs as it queues; retry shortly", 429, {
      retryable: true,
      retryAfterSeconds: 2,
    });
  }
}
