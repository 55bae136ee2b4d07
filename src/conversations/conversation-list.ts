/**
 * A user's list of conversations: a conversation as the list shows it, and the list read a page at
 * a time (paging.ts). Apart from store.ts because the stores' side interfaces (a share link copied
 * into a new conversation, shares.ts) return a summary, and store.ts extends them: they cannot
 * import it back.
 */
import { ValidationError } from "../errors.ts";

export interface ConversationSummary {
  id: string;
  /** Null until the user names it or the first message does. */
  title: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConversationPage {
  /** Most recently updated first. */
  conversations: ConversationSummary[];
  /** Pass as `before` for the next page; null on the last page. */
  next_cursor: string | null;
}

export interface PageRequest {
  limit: number;
  before?: string | undefined;
}

/** Thrown for a `before` cursor this store did not produce. */
export class InvalidCursorError extends ValidationError {
  override name = "InvalidCursorError";
  constructor(cursor: string) {
    super("before", `"${cursor.slice(0, 40)}" is not a cursor from a previous page`);
  }
}
