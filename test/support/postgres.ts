/**
 * One throwaway PostgreSQL server per test file (harness/stack/postgres.ts), or the reason there
 * is none: a file that needs it skips its tests and says why, never passes them.
 */
import { afterAll } from "bun:test";
import { startTestPostgres, type TestPostgres } from "../../harness/stack/postgres.ts";

export type PostgresForTests =
  | { server: TestPostgres; unavailable?: undefined }
  | { server?: undefined; unavailable: string };

/** Starts the server (stopped after the file's tests), or explains on stderr why it cannot. */
export async function postgresForTests(): Promise<PostgresForTests> {
  try {
    const server = await startTestPostgres();
    afterAll(() => server.stop());
    return { server };
  } catch (error) {
    const unavailable = (error as Error).message;
    console.error(`PostgreSQL tests SKIPPED: ${unavailable}`);
    return { unavailable };
  }
}
