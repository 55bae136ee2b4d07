/**
 * docker-compose.yml's scale profile, checked without a Docker engine: Redis and PostgreSQL with
 * health checks, only PostgreSQL kept on disk, nothing of theirs published, and deploy/env/scale.env
 * pointing the app at both with the credentials PostgreSQL is made with.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { readPins } from "../../scripts/stand-ins/pins.ts";
import { loadConfig } from "../../src/config.ts";
import { composeConfig, service } from "./compose-file.ts";

const root = new URL("../../", import.meta.url).pathname;
const envFile = "deploy/env/scale.env";

/** The env file's settings, as Compose reads them (VAR=value lines; # comments). */
function readEnvFile(path: string): Record<string, string> {
  const lines = readFileSync(`${root}${path}`, "utf8").split("\n");
  const pairs = lines.filter((line) => /^[A-Z_]+=/.test(line)).map((line) => line.split(/=(.*)/s).slice(0, 2));
  return Object.fromEntries(pairs);
}

describe("the scale profile", () => {
  const settings = readEnvFile(envFile);
  const config = composeConfig(["--env-file", envFile]);
  const redis = service(config, "redis");
  const postgres = service(config, "postgres");

  test("scale.env turns the profile on and adds its start order (COMPOSE_FILE)", () => {
    expect(settings.COMPOSE_PROFILES).toBe("scale");
    const files = (settings.COMPOSE_FILE ?? "").split(settings.COMPOSE_PATH_SEPARATOR ?? ":");
    expect(files[0]).toBe("docker-compose.yml");
    for (const file of files) expect(existsSync(`${root}${file}`), file).toBe(true);
    // Compose reads COMPOSE_FILE from the env file: every replica waits for both services' health.
    const app = service(config, "app");
    expect(app.depends_on?.redis?.condition).toBe("service_healthy");
    expect(app.depends_on?.postgres?.condition).toBe("service_healthy");
  });

  test("the app gets REDIS_URL and DATABASE_URL naming the services, which it accepts", () => {
    const app = service(config, "app");
    expect(app.environment?.REDIS_URL).toBe(settings.REDIS_URL);
    expect(app.environment?.DATABASE_URL).toBe(settings.DATABASE_URL);
    const redisUrl = new URL(settings.REDIS_URL ?? "");
    expect([redisUrl.hostname, redisUrl.port]).toEqual(["redis", redis.expose?.[0] ?? ""]);
    const loaded = loadConfig({ REDIS_URL: settings.REDIS_URL, DATABASE_URL: settings.DATABASE_URL });
    expect(loaded.redisUrl).toBe(settings.REDIS_URL);
    expect(loaded.databaseUrl).toBe(settings.DATABASE_URL);
  });

  test("DATABASE_URL carries the user, password and database PostgreSQL is made with", () => {
    const url = new URL(settings.DATABASE_URL ?? "");
    const made = postgres.environment ?? {};
    expect([url.hostname, url.port]).toEqual(["postgres", postgres.expose?.[0] ?? ""]);
    expect(decodeURIComponent(url.username)).toBe(made.POSTGRES_USER ?? "");
    expect(decodeURIComponent(url.password)).toBe(made.POSTGRES_PASSWORD ?? "");
    expect(url.pathname).toBe(`/${made.POSTGRES_DB}`);
    // The same defaults without the env file: the compose file alone documents them.
    const defaults = service(composeConfig(), "postgres").environment ?? {};
    expect(defaults).toEqual(made);
  });

  test("redis: a pinned official image, a health check, nothing kept on disk", () => {
    expect(redis.image).toMatch(/^redis:\d+\.\d+$/);
    expect(redis.healthcheck?.test).toEqual(["CMD", "redis-cli", "ping"]);
    const command = redis.command ?? [];
    expect(command[0]).toBe("redis-server");
    expect(command[command.indexOf("--save") + 1]).toBe("");
    expect(command[command.indexOf("--appendonly") + 1]).toBe("no");
    expect(redis.volumes ?? []).toEqual([]);
  });

  test("postgres: a pinned official image with the data folder the volume holds, a TCP health check", () => {
    // From 18 on, the official image keeps its data under /var/lib/postgresql/<major>/docker.
    const major = Number(postgres.image?.match(/^postgres:(\d+)$/)?.[1]);
    expect(major).toBeGreaterThanOrEqual(15);
    expect(major).toBeLessThan(18);
    // Compose v1 writes "source:target:rw", v2 an object.
    const mounts = (postgres.volumes ?? []).map((volume) =>
      typeof volume === "string" ? volume.split(":").slice(0, 2).join(":") : `${volume.source}:${volume.target}`,
    );
    expect(mounts).toEqual(["postgres-data:/var/lib/postgresql/data"]);
    expect(Object.keys(config.volumes ?? {})).toContain("postgres-data");
    const check = postgres.healthcheck?.test ?? [];
    expect(check.slice(0, 2)).toEqual(["CMD", "pg_isready"]);
    expect(check[check.indexOf("--host") + 1]).toBe("127.0.0.1");
  });

  test("the stand-in images are tagged as the compose file pins the real ones", () => {
    const pins = readPins();
    expect(pins.redisTag).toBe(redis.image ?? "");
    expect(pins.postgresTag).toBe(postgres.image ?? "");
    for (const name of ["redis", "postgres"]) {
      expect(existsSync(`${root}deploy/stand-ins/${name}/Dockerfile`), name).toBe(true);
    }
  });
});
