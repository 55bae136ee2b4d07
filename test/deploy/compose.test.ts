/**
 * docker-compose.yml, checked without a Docker engine: Compose parses it with every profile, every
 * path it builds or mounts exists, and its settings agree with the app's.
 */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { type ComposeConfig, type ComposeService, composeConfig, service } from "./compose-file.ts";

const root = new URL("../../", import.meta.url).pathname;
const defaults = loadConfig({});
const everyProfile = ["--profile", "simulator", "--profile", "ollama", "--profile", "loadtest", "--profile", "scale"];

function durationMs(value: string | undefined): number {
  let total = 0;
  for (const [, amount, unit] of (value ?? "").matchAll(/(\d+)(ms|s|m|h)/g)) {
    total += Number(amount) * ({ ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as string] ?? 0);
  }
  return total;
}

/** Bind mounts as [source, target], in Compose v1's string form or v2's object form. */
function bindMounts(entry: ComposeService): [string, string][] {
  return (entry.volumes ?? []).flatMap((volume): [string, string][] => {
    if (typeof volume !== "string") return volume.type === "bind" ? [[volume.source, volume.target]] : [];
    const [source = "", target = ""] = volume.split(":");
    return source.startsWith("/") ? [[source, target]] : [];
  });
}

function publishedPorts(entry: ComposeService): string[] {
  return (entry.ports ?? []).map((port) => (typeof port === "string" ? port : `${port.published}:${port.target}`));
}

describe("docker-compose.yml", () => {
  const config: ComposeConfig = composeConfig(everyProfile);

  test("parses with every profile, each optional service in its own profile", () => {
    expect(Object.keys(config.services).sort()).toEqual([
      "app",
      "loadtest",
      "nginx",
      "ollama",
      "ollama-pull",
      "postgres",
      "redis",
      "simulator",
    ]);
    expect(service(config, "app").profiles ?? []).toEqual([]);
    expect(service(config, "nginx").profiles ?? []).toEqual([]);
    expect(service(config, "simulator").profiles).toEqual(["simulator"]);
    expect(service(config, "ollama").profiles).toEqual(["ollama"]);
    expect(service(config, "loadtest").profiles).toEqual(["loadtest"]);
    expect(service(config, "redis").profiles).toEqual(["scale"]);
    expect(service(config, "postgres").profiles).toEqual(["scale"]);
  });

  test("every build context, Dockerfile and bind-mounted path exists", () => {
    for (const [name, entry] of Object.entries(config.services)) {
      if (entry.build) {
        expect(existsSync(entry.build.context), `${name}: build context`).toBe(true);
        expect(existsSync(join(entry.build.context, entry.build.dockerfile)), `${name}: Dockerfile`).toBe(true);
      }
      for (const [source] of bindMounts(entry)) expect(existsSync(source), `${name}: ${source}`).toBe(true);
    }
    // The load generator runs from the mounted loadtest/ folder.
    expect(service(config, "loadtest").entrypoint).toEqual(["bun", "loadtest/run.ts"]);
    expect(existsSync(join(root, "loadtest/run.ts"))).toBe(true);
  });

  test("nginx: the shipped nginx.conf and templates, published on 8080, after the app is healthy", () => {
    const nginx = service(config, "nginx");
    const targets = Object.fromEntries(bindMounts(nginx).map(([source, target]) => [target, source]));
    expect(targets["/etc/nginx/nginx.conf"]).toBe(join(root, "deploy/nginx/nginx.conf"));
    expect(targets["/etc/nginx/templates"]).toBe(join(root, "deploy/nginx/templates"));
    expect(publishedPorts(nginx)).toContain(`8080:${nginx.environment?.NGINX_PORT}`);
    expect(nginx.depends_on?.app?.condition).toBe("service_healthy");
    expect(nginx.environment?.SLUICE_UPSTREAM).toBe(`app:${service(config, "app").environment?.PORT}`);
  });

  test("app: health check without curl, data volume, restart, a stop grace past the drain", () => {
    const app = service(config, "app");
    expect(app.healthcheck?.test.slice(0, 3)).toEqual(["CMD", "bun", "-e"]);
    expect(app.healthcheck?.test[3]).toContain(`127.0.0.1:${app.environment?.PORT}/healthz`);
    expect((app.volumes ?? []).some((volume) => JSON.stringify(volume).includes("/data"))).toBe(true);
    expect(app.environment?.DATA_DIR).toBe("/data");
    for (const name of ["app", "nginx", "simulator", "ollama", "redis", "postgres"]) {
      expect(service(config, name).restart, name).toBe("unless-stopped");
    }
    expect(durationMs(app.stop_grace_period)).toBeGreaterThan(defaults.drainTimeoutMs);
    expect(durationMs(service(config, "nginx").stop_grace_period)).toBeGreaterThan(defaults.drainTimeoutMs);
  });

  test("the API key is a Docker secret from a path outside the repository", () => {
    const app = service(config, "app");
    expect(app.secrets?.map((secret) => secret.source)).toEqual(["upstream_api_key"]);
    expect(app.environment?.UPSTREAM_API_KEY_FILE).toBe("/run/secrets/upstream_api_key");
    expect(config.secrets?.upstream_api_key?.file.startsWith(root)).toBe(false);
    const chosen = composeConfig([], { UPSTREAM_API_KEY_PATH: "/etc/hostname" });
    expect(chosen.secrets?.upstream_api_key?.file).toBe("/etc/hostname");
  });

  test("without settings the app uses its built-in simulator", () => {
    const app = service(composeConfig(), "app");
    expect(app.environment?.UPSTREAM_BASE_URL).toBe("");
    expect(loadConfig({ UPSTREAM_BASE_URL: "", MODEL: "" }).upstreamBaseUrl).toBeUndefined();
  });

  test("without the scale profile the app runs alone: no Redis, no PostgreSQL, no dependency on them", () => {
    const app = service(composeConfig(), "app");
    expect(app.environment?.REDIS_URL).toBe("");
    expect(app.environment?.DATABASE_URL).toBe("");
    expect(Object.keys(app.depends_on ?? {})).toEqual([]);
    const settings = loadConfig({ REDIS_URL: "", DATABASE_URL: "" });
    expect([settings.redisUrl, settings.databaseUrl]).toEqual([undefined, undefined]);
  });

  test("nothing is published on the host but nginx, with every profile", () => {
    for (const [name, entry] of Object.entries(config.services)) {
      expect(publishedPorts(entry).length, name).toBe(name === "nginx" ? 1 : 0);
    }
  });
});

describe("the profile env files point the app at the profile's model", () => {
  test.each([
    ["simulator", "simulator", "http://simulator:3001/v1", "demo"],
    ["ollama", "ollama", "http://ollama:11434/v1", "llama3.2"],
  ])("deploy/env/%s.env", (file, profile, url, model) => {
    const config = composeConfig(["--profile", profile, "--env-file", `deploy/env/${file}.env`]);
    const app = service(config, "app");
    expect(app.environment?.UPSTREAM_BASE_URL).toBe(url);
    expect(app.environment?.MODEL).toBe(model);
    const upstream = service(config, profile);
    expect(upstream.profiles).toEqual([profile]);
    // The app accepts the setting as it stands.
    expect(loadConfig({ UPSTREAM_BASE_URL: url, MODEL: model }).upstreamBaseUrl).toBe(url);
  });

  test("the simulator service listens where simulator.env points", () => {
    const simulator = service(composeConfig(["--profile", "simulator"]), "simulator");
    expect(simulator.environment?.SIM_PORT).toBe("3001");
    expect(simulator.healthcheck?.test).toContain("bun");
  });
});
