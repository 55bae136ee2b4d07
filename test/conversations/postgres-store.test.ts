/**
 * What the PostgreSQL store adds to the shared suite: its migrations (recorded, applied once,
 * safe when instances start together, refused when the database is newer) and its pool size.
 */
import { afterAll, expect, test } from "bun:test";
import postgres from "postgres";
import { MigrationError } from "../../src/conversations/migrations.ts";
import { openPostgresStore, type PostgresConversationStore } from "../../src/conversations/postgres.ts";
import { postgresMigrations } from "../../src/conversations/postgres-migrations.ts";
import { postgresForTests } from "../support/postgres.ts";

const { server, unavailable } = await postgresForTests();
const opened: PostgresConversationStore[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
});

let schemas = 0;
const freshSchema = () => `migrations_${++schemas}`;

async function open(schema: string, poolSize = 2): Promise<PostgresConversationStore> {
  const store = await openPostgresStore(server?.url ?? "", { poolSize, schema });
  opened.push(store);
  return store;
}

const skip = server ? undefined : `skipped: ${unavailable}`;
const check = (name: string, body: () => Promise<void>) =>
  skip ? test.skip(`${name}, ${skip}`, () => {}) : test(name, body);

check("each step is recorded once in schema_version, and reopening applies none again", async () => {
  const schema = freshSchema();
  await open(schema);
  const again = await open(schema);
  const versions = await again.sql`SELECT version FROM schema_version ORDER BY version`;
  expect(versions.map((row) => row.version)).toEqual(postgresMigrations.map((_, index) => index + 1));
});

check("instances starting together on a new database migrate it once, in turn", async () => {
  const schema = freshSchema();
  const stores = await Promise.all([open(schema), open(schema), open(schema)]);
  const [row] = await (stores[0] as PostgresConversationStore).sql`SELECT count(*) AS steps FROM schema_version`;
  expect(row?.steps).toBe(postgresMigrations.length);
});

check("a database migrated by a newer release is refused, not written to", async () => {
  const schema = freshSchema();
  const store = await open(schema);
  await store.sql`INSERT INTO schema_version (version, applied_at) VALUES (${postgresMigrations.length + 1}, 0)`;
  const refusal = await open(schema).catch((error: unknown) => error);
  expect(refusal).toBeInstanceOf(MigrationError);
  expect((refusal as MigrationError).code).toBe("store_migration_failed");
});

check("the pool holds DATABASE_POOL_SIZE connections: more queries than that wait their turn", async () => {
  // Eight half-second queries: four rounds through a pool of two, one round through a pool of eight.
  const elapsed = async (poolSize: number) => {
    const store = await open(freshSchema(), poolSize);
    const began = performance.now();
    await Promise.all(Array.from({ length: 8 }, () => store.sql`SELECT pg_sleep(0.5)`));
    return performance.now() - began;
  };
  expect(await elapsed(2)).toBeGreaterThanOrEqual(1_900);
  expect(await elapsed(8)).toBeLessThan(1_900);
});

check("every value is a bound parameter: quotes in a title are stored as written", async () => {
  const store = await open(freshSchema());
  const title = "'); DROP TABLE conversations; --";
  const created = await store.create("alice", title);
  expect((await store.get("alice", created.id))?.title).toBe(title);
  const client = postgres(server?.url ?? "", { max: 1, onnotice: () => {} });
  try {
    const [row] = await client`SELECT count(*)::int AS tables FROM information_schema.tables
      WHERE table_name = 'conversations'`;
    expect(row?.tables).toBeGreaterThan(0);
  } finally {
    await client.end();
  }
});

check("a database failure is a 503 with a store code, never a bare 500", async () => {
  const schema = freshSchema();
  const store = await open(schema);
  // The tables vanish under the store (an operator's mistake, a restore in progress).
  await store.sql`DROP SCHEMA ${store.sql(schema)} CASCADE`;
  const failure = await store.create("alice").catch((error: unknown) => error);
  expect(failure).toMatchObject({ code: "store_failed", status: 503, retryable: true });
  expect((failure as Error).cause).toMatchObject({ code: "42P01" });
});
