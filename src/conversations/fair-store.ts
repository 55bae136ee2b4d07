/**
 * A conversation store whose calls take turns by user (fair-queue.ts), on either engine: the
 * SQLite worker runs one call at a time, PostgreSQL as many as its pool holds, and in both one
 * user's searches no longer starve another user's list. Every store failure is logged here with
 * its method and cause, once, whatever the engine, while the client gets its stable code.
 */
import { logError } from "../log.ts";
import { FairQueue, type FairQueueSettings, type QueueKey, SERVER_WORK } from "./fair-queue.ts";
import type { ConversationStore } from "./store.ts";
import { StoreError } from "./store-errors.ts";

// The server's own work, which names no user: it takes its turn like a user, and is never refused.
const SERVER_METHODS = new Set([
  "checkpointAnswers",
  "recoverInterrupted",
  "runningStreamIds",
  "close",
  "addTokenUsage",
]);
// Work already accepted: storing an answer that was generated must not fail because its user is
// busy; nor may a budget check, which a burst of a user's answers shares (usage/budgets.ts).
const MUST_RUN = new Set([...SERVER_METHODS, "finishExchange", "budgetReading"]);

// Whoever holds a share link reads it, signed in or not (SHARE=public): those reads take their
// turns as one key, so a flood of them waits behind the users' calls rather than among them.
const SHARE_READS = new Set(["sharedConversation", "sharedImage"]);
const SHARE_READERS: QueueKey = Symbol("share link readers");

export interface FairStoreOptions extends FairQueueSettings {
  /** False only for the attacker suite's negative control: one queue for everyone, in arrival order. */
  fair?: boolean;
  /** Called for every refusal (sluice_rejected_total). */
  rejected?: (reason: string) => void;
}

/**
 * `store` with every call queued by its user (a store method's first argument is the user it acts
 * for); fields and anything else pass through.
 */
export function fairStore<S extends ConversationStore>(store: S, options: FairStoreOptions): S {
  const fair = options.fair ?? true;
  const queue = new FairQueue(
    fair ? options : { ...options, perUser: options.concurrency, queuedPerUser: Number.POSITIVE_INFINITY },
    options.rejected,
  );
  const keyOf = (method: string, args: unknown[]): QueueKey => {
    if (!fair || SERVER_METHODS.has(method)) return SERVER_WORK;
    if (SHARE_READS.has(method)) return SHARE_READERS;
    return typeof args[0] === "string" ? args[0] : SERVER_WORK;
  };
  return new Proxy(store, {
    get(target, name) {
      // Methods only (an engine's own fields, such as PostgreSQL's `sql`, are functions too).
      const value = Reflect.get(target, name, target);
      if (typeof name === "symbol" || typeof value !== "function" || Object.hasOwn(target, name)) return value;
      return (...args: unknown[]) =>
        queue
          .run(keyOf(name, args), async () => Reflect.apply(value, target, args), MUST_RUN.has(name))
          .catch((error: unknown) => {
            if (error instanceof StoreError) logError("store", { method: name, code: error.code, error: error.cause });
            throw error;
          });
    },
  });
}
