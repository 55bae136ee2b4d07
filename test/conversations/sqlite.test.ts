import { openSqliteStore } from "../../src/conversations/sqlite.ts";
import { describeAdminStore } from "./admin-suite.ts";
import { seedSqlitePrevious } from "./previous-schema.ts";
import { describeShares } from "./share-suite.ts";
import { describeConversationStore } from "./store-suite.ts";
import { describeTokenUsage } from "./token-usage-suite.ts";
import { describeStoredUsage } from "./usage-suite.ts";

describeConversationStore("SQLite", openSqliteStore, seedSqlitePrevious);
describeStoredUsage("SQLite", openSqliteStore);
describeTokenUsage("SQLite", openSqliteStore);
describeShares("SQLite", openSqliteStore);
describeAdminStore("SQLite", openSqliteStore);
