/**
 * Paging through a user's conversations, most recently updated first (keyset pagination): the
 * `before` cursor is the sort key of the last row of a page, so the next page starts strictly
 * after it even when rows are added meanwhile. Each engine reads one row more than a page holds,
 * in `updated_at DESC, id DESC` order after the position; that row only tells there is a next page.
 */

import { type ConversationPage, InvalidCursorError } from "./conversation-list.ts";
import type { ConversationRow } from "./conversation-rows.ts";
import { toSummary } from "./conversation-rows.ts";

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

/** Where a page starts: after the row of `before`, or at the top without one. */
export function pageStart(before: string | undefined): ListPosition | undefined {
  return before === undefined ? undefined : decodeCursor(before);
}

/** The page of `limit` conversations among `rows` (read as up to `limit + 1`, in list order). */
export function pageFromRows(rows: ConversationRow[], limit: number): ConversationPage {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const more = rows.length > limit && last !== undefined;
  return {
    conversations: page.map(toSummary),
    next_cursor: more ? encodeCursor({ updatedAt: last.updated_at, id: last.id }) : null,
  };
}
