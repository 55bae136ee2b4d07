/**
 * Telling the server which branch this page shows (`PATCH … current_leaf_id`), so every device
 * shows it too. Switches made faster than the server answers (a key held down on `< n/m >`) are
 * sent one at a time and only the last one waiting is sent: the server ends on the branch shown,
 * never on an earlier one that overtook it.
 */
import { api } from "./api.ts";

export interface LeafSyncEvents {
  /** The server shows the branch through `asked` now, down to `leaf` (the newest leaf under it). */
  synced(conversationId: string, asked: string, leaf: string | null): void;
  failed(error: unknown): void;
}

export class LeafSync {
  readonly #events: LeafSyncEvents;
  #waiting: { conversationId: string; messageId: string } | undefined;
  #running: Promise<void> = Promise.resolve();
  #busy = false;

  constructor(events: LeafSyncEvents) {
    this.#events = events;
  }

  /** Shows the branch through `messageId` of `conversationId` on every device (in the background). */
  show(conversationId: string, messageId: string): void {
    this.#waiting = { conversationId, messageId };
    if (!this.#busy) this.#running = this.#drain();
  }

  /** Resolves once every switch asked for has reached the server (before a question is sent after it). */
  settled(): Promise<void> {
    return this.#running;
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    try {
      for (let next = this.#waiting; next; next = this.#waiting) {
        this.#waiting = undefined;
        try {
          const state = await api.setCurrentLeaf(next.conversationId, next.messageId);
          if (!this.#waiting) this.#events.synced(next.conversationId, next.messageId, state.current_leaf_id);
        } catch (error) {
          if (!this.#waiting) this.#events.failed(error);
        }
      }
    } finally {
      this.#busy = false;
    }
  }
}
