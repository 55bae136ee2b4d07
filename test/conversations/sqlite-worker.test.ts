import { openWorkerStore } from "../../src/conversations/sqlite-worker-proxy.ts";
import { seedSqlitePrevious } from "./previous-schema.ts";
import { describeConversationStore } from "./store-suite.ts";
import { describeStoredUsage } from "./usage-suite.ts";

describeConversationStore("SQLite in a worker", (dir) => openWorkerStore(dir), seedSqlitePrevious);
describeStoredUsage("SQLite in a worker", (dir) => openWorkerStore(dir));
