/**
 * What is typed in the message box, kept per conversation in this browser's localStorage
 * (`sluice.draft.<conversation id>`, `sluice.draft.new` for a new chat): each conversation has its
 * own, and a reload or a crash loses none of it. Sending a question clears its conversation's draft.
 */
import { readStored, writeStored } from "./local-store.ts";

const keyOf = (conversationId: string | null) => `sluice.draft.${conversationId ?? "new"}`;

export class Drafts {
  #conversationId: string | null = null;

  /** Conversation `id` is open now (null: a new chat); returns its draft. */
  open(id: string | null): string {
    this.#conversationId = id;
    return readStored(keyOf(id)) ?? "";
  }

  /** The new chat was just saved as conversation `id`: its draft goes with it. */
  adopt(id: string): void {
    const draft = readStored(keyOf(null)) ?? "";
    writeStored(keyOf(null), "");
    writeStored(keyOf(id), draft);
    this.#conversationId = id;
  }

  /** Keeps `text` as the open conversation's draft (empty: none). */
  keep(text: string): void {
    writeStored(keyOf(this.#conversationId), text);
  }
}
