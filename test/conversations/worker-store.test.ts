import { openWorkerStore } from "../../src/conversations/worker-store.ts";
import { describeConversationStore } from "./store-suite.ts";

describeConversationStore("SQLite in a worker", (dir) => openWorkerStore(dir));
