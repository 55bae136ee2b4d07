/** DATABASE_URL and DATABASE_POOL_SIZE: validated at start, and the URL never logged. */
import { expect, test } from "bun:test";
import { ConfigError, describeConfig, loadConfig } from "../../src/config.ts";

test("unset, conversations stay in SQLite; set, the URL is kept and masked in the settings log", () => {
  const sqlite = loadConfig({});
  expect(sqlite.databaseUrl).toBeUndefined();
  expect(sqlite.databasePoolSize).toBe(10);
  const url = "postgres://sluice:hunter2-secret@db.internal:5432/sluice";
  const config = loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: "25" });
  expect(config.databaseUrl).toBe(url);
  expect(config.databasePoolSize).toBe(25);
  const logged = JSON.stringify(describeConfig(config));
  expect(logged).not.toContain("hunter2-secret");
  expect(logged).toContain('"databaseUrl":"(masked)"');
});

test("refuses a URL that is not PostgreSQL's, and a pool of no connections", () => {
  expect(() => loadConfig({ DATABASE_URL: "mysql://root@localhost/sluice" })).toThrow(ConfigError);
  expect(() => loadConfig({ DATABASE_URL: "mysql://root@localhost/sluice" })).toThrow(/^DATABASE_URL:/);
  expect(() => loadConfig({ DATABASE_URL: "postgresql://u@h/db", DATABASE_POOL_SIZE: "0" })).toThrow(
    /^DATABASE_POOL_SIZE:/,
  );
});
