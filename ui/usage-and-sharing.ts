/**
 * The open conversation's usage line and its Share dialog, as one part of the page: both follow
 * which conversation is open, and the usage line is read again once an answer is stored (the
 * chat announces it with {@link ANSWER_STORED}, a DOM event whose detail is the conversation id).
 */
import { api } from "./api.ts";
import { ConversationUsageLine } from "./conversation-usage.ts";
import { ShareDialog } from "./share-dialog.ts";

/** Dispatched on `document` once an answer is stored; `detail`: its conversation's id. */
export const ANSWER_STORED = "sluice:answer-stored";

export class UsageAndSharing {
  readonly #share = new ShareDialog();
  readonly #usage = new ConversationUsageLine();

  constructor() {
    document.addEventListener(
      ANSWER_STORED,
      (event) => void this.#usage.refresh((event as CustomEvent<string>).detail),
    );
    api
      .chatSettings()
      .then((settings) => this.#share.configure(settings.share))
      .catch(() => {});
  }

  /** Conversation `id` is now the open one (null: a new chat); `created`: it was just saved, and has cost nothing yet. */
  opened(id: string | null, created = false): void {
    this.#share.show(id);
    if (!created) this.#usage.show(id);
  }
}
