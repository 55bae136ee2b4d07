/**
 * The main thread's side of the storage worker: the conversation store as a thin asynchronous
 * proxy that forwards every method call (name and arguments) to the SQLite store running inside
 * the worker thread (sqlite-worker-thread.ts). It knows no method by name, so the store can grow
 * without touching it. The worker is the web's Worker on both runtimes: Deno's
 * `node:worker_threads` copies a message's bytes one at a time (a question's 20 MiB of images took
 * seconds to cross, its own Worker a few milliseconds).
 */
import type { SqliteConversationStore, StoreOptions } from "./sqlite.ts";
import type { StoreCall, StoreOpened, StoreReply, StoreStart } from "./sqlite-worker-protocol.ts";
import { type FlatError, rebuildError, StoreError } from "./store-errors.ts";

/** Every method of `T`, answering through a promise. */
type Remote<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

export type WorkerConversationStore = Remote<SqliteConversationStore> & {
  /** How many exchanges the store found interrupted by a previous process when it opened. */
  readonly recovered: number;
};

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Starts the storage worker on `dataDir` and resolves once its store is open and recovered. */
export async function openWorkerStore(dataDir: string, options: StoreOptions = {}): Promise<WorkerConversationStore> {
  const worker = new Worker(new URL("./sqlite-worker-thread.ts", import.meta.url), { type: "module" });
  const opened = await new Promise<StoreOpened>((resolve, reject) => {
    worker.addEventListener("message", (event) => resolve(event.data as StoreOpened), { once: true });
    worker.addEventListener("error", (event) => reject(workerFailure(event)), { once: true });
    worker.postMessage({ dataDir, options } satisfies StoreStart);
  });
  if (!opened.ready) {
    worker.terminate();
    throw rebuildError(opened.error);
  }
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let gone: StoreError | undefined;
  const failAll = (error: StoreError) => {
    gone = error;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  worker.addEventListener("message", (event) => settle(pending, event.data as StoreReply));
  worker.addEventListener("error", (event) => {
    failAll(new StoreError("store_failed", "the storage worker failed", { cause: workerFailure(event) }));
    worker.terminate();
  });

  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args } satisfies StoreCall);
    });
  };
  const close = async () => {
    if (!gone) await call("close", []).catch(() => {});
    worker.terminate();
    failAll(new StoreError("store_failed", "the conversation store is closed"));
  };
  const fixed: Record<string | symbol, unknown> = { recovered: opened.recovered, close };
  return new Proxy(fixed, {
    get(target, name) {
      // Not a thenable: awaiting the store must not send a "then" call.
      if (name in target || typeof name === "symbol" || name === "then") return target[name];
      return (...args: unknown[]) => call(name, args);
    },
  }) as unknown as WorkerConversationStore;
}

function settle(pending: Map<number, Pending>, reply: StoreReply): void {
  const call = pending.get(reply.id);
  if (!call) return;
  pending.delete(reply.id);
  if (reply.ok) {
    call.resolve(reply.value);
    return;
  }
  // The client sees a stable code; the error keeps the database's own words as its cause, which
  // the server logs (fair-store.ts).
  call.reject(rebuildError(reply.error as FlatError));
}

/** The error a worker's `error` event carries, kept from reaching the main thread's own handler. */
function workerFailure(event: ErrorEvent): unknown {
  // Deno ends the whole process for a worker's error that is not prevented.
  event.preventDefault();
  return event.error ?? new Error(event.message);
}
