/**
 * The `before` cursor of the conversation list: the sort key of the last row of a page, so the
 * next page starts strictly after it even when rows are added meanwhile (keyset pagination).
 */
import { InvalidCursorError } from "./store.ts";

export interface ListPosition {
  /** updated_at of the last row, epoch milliseconds. */
  updatedAt: number;
  id: string;
}

/** Encodes a position as an opaque, URL-safe string. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(`${position.updatedAt}:${position.id}`).toString("base64url");
}

/** Decodes a cursor made by {@link encodeCursor}; throws {@link InvalidCursorError} for anything else. */
export function decodeCursor(cursor: string): ListPosition {
  const match = /^(\d{1,16}):([\w-]{1,64})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match?.[1] || !match[2]) throw new InvalidCursorError(cursor);
  return { updatedAt: Number(match[1]), id: match[2] };
}
