/**
 * Documents sent with a question (a PDF, a log, a CSV, source code…): what the store keeps of
 * them. Only their text is kept (for a PDF, the text read from it): it is what the model is sent,
 * and what the owner can read back. Their kind was judged by their bytes (documents/document-kind.ts).
 */

/** A PDF, or text of any kind (plain, Markdown, source code, CSV, JSON, logs). */
export type DocumentMediaType = "application/pdf" | "text/plain";

/** A document as a message lists it: enough to show it, not its text. */
export interface DocumentRef {
  id: string;
  /** The file's name as sent (cleaned of control characters), or "document". */
  name: string;
  media_type: DocumentMediaType;
  /** The file's size in bytes, as sent. */
  size: number;
  /** The length of its text, in UTF-16 code units (what the context's estimate counts). */
  characters: number;
  /** A PDF's page count; absent for text. */
  pages?: number;
}

/** A document to store with a new question. */
export interface NewDocument {
  id: string;
  name: string;
  media_type: DocumentMediaType;
  size: number;
  pages: number | null;
  text: string;
}

/**
 * A stored document, the message it belongs to, and its text: whole, or only its start when it
 * was read up to a bound (`characters` is always the whole text's length).
 */
export interface StoredDocument extends NewDocument {
  message_id: string;
  characters: number;
}

/** A document's name, safe to show and to store: no control characters, at most 255 characters. */
export function documentName(name: string | undefined): string {
  const cleaned = (name ?? "")
    .replace(/\p{Cs}/gu, "\uFFFD")
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, " ")
    .trim();
  return [...cleaned].slice(0, 255).join("") || "document";
}

/** The documents a conversation store keeps beside the messages (sqlite-documents.ts, postgres-documents.ts). */
export interface DocumentStore {
  /** One document of a question in `owner`'s conversation, with its whole text; undefined for anyone else's. */
  getDocument(owner: string, conversationId: string, documentId: string): Promise<StoredDocument | undefined>;
  /**
   * The documents of `messageIds` (in `owner`'s conversation), in message and sending order, each
   * with at most the first `maxChars` characters of its text.
   */
  documentsOf(owner: string, conversationId: string, messageIds: string[], maxChars: number): Promise<StoredDocument[]>;
}
