/**
 * The messages between the main thread's proxy (sqlite-worker-proxy.ts) and the SQLite store in
 * its worker thread (sqlite-worker-thread.ts). They cross a structured clone, so errors travel
 * flattened (store-errors.ts); the bytes of an answer (images) are moved, not copied.
 */
import type { StoreOptions } from "./sqlite.ts";
import type { FlatError } from "./store-errors.ts";

/** Main thread → worker, first: open the store. */
export interface StoreStart {
  dataDir: string;
  options: StoreOptions;
}

/** Main thread → worker: call `method` of the store with `args`. */
export interface StoreCall {
  id: number;
  method: string;
  args: unknown[];
}

/** Worker → main thread: the call's result, or its error. */
export type StoreReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: FlatError };

/** The worker's first message: the store opened (with how many exchanges it recovered), or why not. */
export type StoreOpened = { ready: true; recovered: number } | { ready: false; error: FlatError };
