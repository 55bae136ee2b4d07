/** A fresh store of a backend for each test of a suite, in a place of its own, closed and removed after it. */
import { afterEach } from "bun:test";
import { rmSync } from "node:fs";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import type { ConversationStore } from "../../src/conversations/store.ts";
import type { OpenStore } from "./store-suite.ts";

/** Registers the cleanup (call it inside a `describe`); the returned function opens a new store. */
export function freshStorePerTest(open: OpenStore): () => Promise<ConversationStore> {
  const opened: ConversationStore[] = [];
  const places: string[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    for (const dir of places.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return async () => {
    const place = freshDataDir();
    places.push(place);
    const store = await open(place);
    opened.push(store);
    return store;
  };
}
