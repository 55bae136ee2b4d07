/**
 * The storage worker: runs the SQLite store off the thread that relays tokens. `node:sqlite` is
 * synchronous, so a write that waits for a lock (busy_timeout, up to 5 s) would otherwise stall
 * every stream of the process. Messages in: `{ id, method, args }`; out: `{ id, ok, value | error }`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteStore, type SqliteConversationStore, type StoreOptions } from "./sqlite.ts";
import { flattenError } from "./store-errors.ts";

export interface StoreCall {
  id: number;
  method: string;
  args: unknown[];
}

export type StoreReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: ReturnType<typeof flattenError> };

/** The first message: the store opened (with how many exchanges it recovered), or why not. */
export type StoreOpened = { ready: true; recovered: number } | { ready: false; error: ReturnType<typeof flattenError> };

const port = parentPort;
if (!port) throw new Error("store-worker.ts runs only as a worker");

async function serve(store: SqliteConversationStore, call: StoreCall): Promise<StoreReply> {
  try {
    const method = (store as unknown as Record<string, unknown>)[call.method];
    if (typeof method !== "function" || call.method.startsWith("#"))
      throw new TypeError(`no store method ${call.method}`);
    return { id: call.id, ok: true, value: await method.apply(store, call.args) };
  } catch (error) {
    return { id: call.id, ok: false, error: flattenError(error) };
  }
}

try {
  const { dataDir, options } = workerData as { dataDir: string; options: StoreOptions };
  const store = await openSqliteStore(dataDir, options);
  // One call at a time, in arrival order: the store's transactions never interleave.
  let queue = Promise.resolve();
  port.on("message", (call: StoreCall) => {
    queue = queue.then(async () => port.postMessage(await serve(store, call)));
  });
  port.postMessage({ ready: true, recovered: store.recovered } satisfies StoreOpened);
} catch (error) {
  port.postMessage({ ready: false, error: flattenError(error) } satisfies StoreOpened);
}
