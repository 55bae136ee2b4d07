/**
 * A document of a question (`{type:"file",file:{filename,file_data}}`, OpenAI's file part), read
 * before anything is stored: a `data:` URL of at most DOCUMENT_MAX_BYTES once decoded, judged by
 * its bytes alone (documents/document-kind.ts: a PDF, or text), its text read (a PDF's off the
 * main thread, documents/pdf-reader.ts) and at most DOCUMENT_MAX_CHARS long. Each refusal names
 * the part: 400 for what is not a document or cannot be read, 413 for what is too large or long.
 * The cheap checks of every part run before any PDF is read.
 */

import type { FilePart } from "../contract.ts";
import { type DocumentMediaType, documentName, type NewDocument } from "../conversations/documents.ts";
import { DocumentTooLargeError, DocumentTooLongError, DocumentUnreadableError } from "../documents/document-errors.ts";
import { judgeDocument } from "../documents/document-kind.ts";
import type { PdfReader } from "../documents/pdf-reader.ts";
import { PdfTextError } from "../documents/pdf-text.ts";
import { ValidationError } from "../errors.ts";
import type { DocumentLimits } from "../settings/attachments.ts";
import { decodeBase64, decodedSize } from "./base64-bytes.ts";

// Any declared type, with any parameters: the bytes decide what the file is, not the label.
const DATA_URL = /^data:[^,]*;base64,([A-Za-z0-9+/]*={0,2})$/i;

/** A document whose bytes passed the cheap checks; a PDF's text is still to be read. */
export interface CheckedDocument {
  field: string;
  name: string;
  bytes: Uint8Array;
  /** The text of a text file; undefined for a PDF. */
  text: string | undefined;
}

/** Decodes and judges one file part (`field` names it); throws a 400 or a 413 naming it. */
export function checkDocument(file: FilePart["file"], field: string, limits: DocumentLimits): CheckedDocument {
  const dataField = `${field}.file_data`;
  const match = DATA_URL.exec(file.file_data);
  if (!match) throw new ValidationError(dataField, "must be a data: URL with the file's bytes in base64");
  const base64 = match[1] as string;
  if (decodedSize(base64) > limits.maxBytes) throw new DocumentTooLargeError(dataField, limits.maxBytes);
  const bytes = decodeBase64(base64);
  const judged = judgeDocument(bytes);
  if (judged.kind === undefined) throw new DocumentUnreadableError(dataField, `the file ${judged.reason}`);
  const text = judged.kind === "text" ? judged.text : undefined;
  if (text !== undefined && text.length > limits.maxChars) throw new DocumentTooLongError(dataField, limits.maxChars);
  return { field: dataField, name: documentName(file.filename), bytes, text };
}

/** The document to store: a text file's text, or the text read from a PDF; throws what refuses it. */
export async function readDocument(
  checked: CheckedDocument,
  limits: DocumentLimits,
  reader: PdfReader | undefined,
  owner: string,
): Promise<NewDocument> {
  const { field, name, bytes } = checked;
  const size = bytes.byteLength;
  const media_type: DocumentMediaType = checked.text === undefined ? "application/pdf" : "text/plain";
  let text = checked.text;
  let pages: number | null = null;
  if (text === undefined) {
    if (!reader) throw new DocumentUnreadableError(field, "this server reads no PDFs");
    try {
      ({ text, pages } = await reader.read(bytes, limits.maxChars, owner));
    } catch (error) {
      if (!(error instanceof PdfTextError)) throw error;
      if (error.failure === "too_long") throw new DocumentTooLongError(field, limits.maxChars);
      throw new DocumentUnreadableError(field, error.message, error);
    }
  }
  if (text.trim() === "")
    throw new DocumentUnreadableError(
      field,
      pages === null
        ? "the file holds no text"
        : "no text could be read from the PDF (a scan holds only pictures of text)",
    );
  return { id: crypto.randomUUID(), name, media_type, size, pages, text };
}
