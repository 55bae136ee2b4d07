import { test } from "bun:test";
import { createHash } from "node:crypto";
import { openPostgresStore } from "../../src/conversations/postgres.ts";
import { postgresForTests } from "../support/postgres.ts";
import { describeAdminStore } from "./admin-suite.ts";
import { seedPostgresPrevious } from "./previous-schema.ts";
import { describeConversationSearch } from "./search-suite.ts";
import { describeShares } from "./share-suite.ts";
import { describeConversationStore } from "./store-suite.ts";
import { describeTokenUsage } from "./token-usage-suite.ts";
import { describeStoredUsage } from "./usage-suite.ts";

const { server, unavailable } = await postgresForTests();

// Each place (a fresh folder per test) is a schema of its own in the one test database: the same
// place reopens the same data, a new one starts empty.
const schemaFor = (place: string) => `store_${createHash("sha256").update(place).digest("hex").slice(0, 16)}`;

if (server) {
  const open = (place: string) => openPostgresStore(server.url, { poolSize: 4, schema: schemaFor(place) });
  describeConversationStore("PostgreSQL", open, (place) => seedPostgresPrevious(server.url, schemaFor(place)));
  describeConversationSearch("PostgreSQL", open);
  describeStoredUsage("PostgreSQL", open);
  describeTokenUsage("PostgreSQL", open);
  describeShares("PostgreSQL", open);
  describeAdminStore("PostgreSQL", open);
} else {
  test.skip(`ConversationStore on PostgreSQL, skipped: ${unavailable}`, () => {});
}
