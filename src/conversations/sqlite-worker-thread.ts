/**
 * The inside of the storage worker: this module is the worker thread's entry point, and runs the
 * SQLite store off the thread that relays tokens. `node:sqlite` is synchronous, so a write that
 * waits for a lock (busy_timeout, up to 5 s) would otherwise stall every stream of the process.
 * The main thread talks to it through sqlite-worker-proxy.ts, in sqlite-worker-protocol.ts's
 * messages.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteStore, type SqliteConversationStore, type StoreOptions } from "./sqlite.ts";
import type { StoreCall, StoreOpened, StoreReply } from "./sqlite-worker-protocol.ts";
import { flattenError } from "./store-errors.ts";

const port = parentPort;
if (!port) throw new Error("sqlite-worker-thread.ts runs only as a worker thread");

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
