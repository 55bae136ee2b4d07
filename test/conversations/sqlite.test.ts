import { openSqliteStore } from "../../src/conversations/sqlite.ts";
import { describeConversationStore } from "./store-suite.ts";
import { describeStoredUsage } from "./usage-suite.ts";

describeConversationStore("SQLite", openSqliteStore);
describeStoredUsage("SQLite", openSqliteStore);
