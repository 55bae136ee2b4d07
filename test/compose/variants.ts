/**
 * The ways docker-compose.yml is run live. Another profile is one more entry here (its options,
 * its services, where its model keeps its counters); the Ollama profile needs model weights and
 * stays a static check (test/deploy/compose.test.ts).
 */
import { readFileSync } from "node:fs";
import type { ComposeVariant } from "./project.ts";
import { scaleChecks } from "./scale-checks.ts";

const root = new URL("../../", import.meta.url).pathname;

/** The Compose files an env file adds to docker-compose.yml through COMPOSE_FILE, as Compose reads them. */
function composeFilesOf(envFile: string): string[] {
  const text = readFileSync(`${root}${envFile}`, "utf8");
  const separator = text.match(/^COMPOSE_PATH_SEPARATOR=(.+)$/m)?.[1] ?? ":";
  const files = text.match(/^COMPOSE_FILE=(.+)$/m)?.[1]?.split(separator) ?? [];
  return files.filter((file) => file !== "docker-compose.yml");
}

export const VARIANTS: ComposeVariant[] = [
  {
    name: "docker-compose up (the built-in simulator)",
    options: [],
    services: ["app", "nginx"],
    // The embedded simulator's statistics are on the app's internal listener, never the public port.
    model: { service: "app", statsUrl: "http://127.0.0.1:9464/sim/stats" },
  },
  {
    name: "docker-compose --profile simulator (the standalone simulator as the model)",
    options: ["--profile", "simulator", "--env-file", "deploy/env/simulator.env"],
    services: ["app", "nginx", "simulator"],
    model: { service: "simulator", statsUrl: "http://127.0.0.1:3001/stats" },
  },
  {
    name: "docker-compose --env-file deploy/env/scale.env up --scale app=2 (Redis, PostgreSQL)",
    options: ["--env-file", "deploy/env/scale.env"],
    files: composeFilesOf("deploy/env/scale.env"),
    // One model for both replicas, so its counters see every call: the standalone simulator, as
    // a user of the profile would add it (or a real provider) from the shell.
    env: { COMPOSE_PROFILES: "scale,simulator", UPSTREAM_BASE_URL: "http://simulator:3001/v1", MODEL: "demo" },
    replicas: { app: 2 },
    services: ["app", "nginx", "redis", "postgres", "simulator"],
    model: { service: "simulator", statsUrl: "http://127.0.0.1:3001/stats" },
    checks: scaleChecks,
  },
];
