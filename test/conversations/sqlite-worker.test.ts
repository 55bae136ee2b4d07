import { openWorkerStore } from "../../src/conversations/sqlite-worker-proxy.ts";
import { describeConversationStore } from "./store-suite.ts";

describeConversationStore("SQLite in a worker", (dir) => openWorkerStore(dir));
