/**
 * The inside of the storage worker: this module is the worker thread's entry point, and runs the
 * SQLite store off the thread that relays tokens. `node:sqlite` is synchronous, so a write that
 * waits for a lock (busy_timeout, up to 5 s) would otherwise stall every stream of the process.
 * The main thread talks to it through sqlite-worker-proxy.ts, in sqlite-worker-protocol.ts's
 * messages. An answer's bytes (images) are moved to the main thread, not copied.
 */
import { isMainThread } from "node:worker_threads";
import { memoryCollector } from "../memory-collector.ts";
import { openSqliteStore, type SqliteConversationStore } from "./sqlite.ts";
import type { StoreCall, StoreOpened, StoreReply, StoreStart } from "./sqlite-worker-protocol.ts";
import { flattenError } from "./store-errors.ts";

/** What a web Worker's global scope offers the worker. */
interface WorkerScope {
  postMessage(message: StoreReply | StoreOpened, transfer?: ArrayBuffer[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void, options?: { once: boolean }): void;
}

// Deno's own Workers have a WorkerGlobalScope (and call themselves main threads in node's terms); Bun's do not.
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "function" && isMainThread)
  throw new Error("sqlite-worker-thread.ts runs only as a worker thread");
const scope = globalThis as unknown as WorkerScope;

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

/** The byte arrays in `value` (an image, a list of images, a call's arguments). */
function byteArraysIn(value: unknown, depth = 0, found: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof Uint8Array) found.push(value);
  else if (depth < 4 && value !== null && typeof value === "object")
    for (const item of Array.isArray(value) ? value : Object.values(value)) byteArraysIn(item, depth + 1, found);
  return found;
}

/**
 * The buffers of an answer's byte arrays that are theirs alone: moved with it. The worker keeps
 * nothing it answers, so none is needed here afterwards.
 */
function ownedBuffersOf(value: unknown): ArrayBuffer[] {
  const owned = new Set<ArrayBuffer>();
  for (const { buffer, byteOffset, byteLength } of byteArraysIn(value))
    if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) owned.add(buffer);
  return [...owned];
}

/** Opens the store the first message names, then answers calls one at a time, in arrival order. */
async function start({ dataDir, options }: StoreStart): Promise<void> {
  let store: SqliteConversationStore;
  try {
    store = await openSqliteStore(dataDir, options);
  } catch (error) {
    return scope.postMessage({ ready: false, error: flattenError(error) } satisfies StoreOpened);
  }
  // One call at a time: the store's transactions never interleave.
  let queue = Promise.resolve();
  scope.addEventListener("message", (event) => {
    const call = event.data as StoreCall;
    queue = queue.then(async () => {
      const reply = await serve(store, call);
      scope.postMessage(reply, reply.ok ? ownedBuffersOf(reply.value) : []);
      // The images a call brings (copies, for the worker alone) are garbage once stored.
      for (const bytes of byteArraysIn(call.args)) memoryCollector.released(bytes.byteLength);
    });
  });
  scope.postMessage({ ready: true, recovered: store.recovered } satisfies StoreOpened);
}

scope.addEventListener("message", (event) => void start(event.data as StoreStart), { once: true });
