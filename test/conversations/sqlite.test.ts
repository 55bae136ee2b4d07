import { openSqliteStore } from "../../src/conversations/sqlite.ts";
import { describeConversationStore } from "./store-suite.ts";

describeConversationStore("SQLite", openSqliteStore);
