/**
 * The rows of messages' images and documents (without their bytes or text), and how they join
 * the messages they belong to.
 */
import type { DocumentMediaType, DocumentRef } from "./documents.ts";
import type { ImageMediaType, ImageRef } from "./images.ts";
import { type MessageRow, toMessage } from "./message-rows.ts";
import type { StoredMessage } from "./store.ts";

/** A row of message_images without its bytes. */
export interface ImageRefRow {
  id: string;
  message_id: string;
  media_type: ImageMediaType;
  size: number;
}

/** A row of message_documents without its text. */
export interface DocumentRefRow {
  id: string;
  message_id: string;
  name: string;
  media_type: DocumentMediaType;
  size: number;
  pages: number | null;
  characters: number;
}

/** Each message's rows of `rows` (ordered by message, then position), as `toRef` makes them. */
function byMessage<R extends { message_id: string }, T>(rows: readonly R[], toRef: (row: R) => T): Map<string, T[]> {
  const found = new Map<string, T[]>();
  for (const row of rows) {
    const list = found.get(row.message_id) ?? [];
    list.push(toRef(row));
    found.set(row.message_id, list);
  }
  return found;
}

const documentRef = ({ id, name, media_type, size, pages, characters }: DocumentRefRow): DocumentRef => ({
  id,
  name,
  media_type,
  size,
  characters,
  ...(pages === null ? {} : { pages }),
});

/** The messages with their images and documents attached (rows ordered by message, then position). */
export function withAttachments(
  messages: StoredMessage[],
  images: ImageRefRow[],
  documents: DocumentRefRow[] = [],
): StoredMessage[] {
  const imagesOf = byMessage(images, ({ id, media_type, size }): ImageRef => ({ id, media_type, size }));
  const documentsOf = byMessage(documents, documentRef);
  for (const message of messages) {
    const imageList = imagesOf.get(message.id);
    if (imageList) message.images = imageList;
    const documentList = documentsOf.get(message.id);
    if (documentList) message.documents = documentList;
  }
  return messages;
}

/** The rows of `ids` as messages with their images and documents, in the order of `ids` (unknown ids left out). */
export function messagesInOrder(
  ids: readonly string[],
  rows: MessageRow[],
  images: ImageRefRow[],
  documents: DocumentRefRow[] = [],
): StoredMessage[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ordered = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toMessage(row)] : [];
  });
  return withAttachments(ordered, images, documents);
}
