/**
 * `npm run stack`: Sluice's production topology on this machine, without Docker. The simulator
 * (unless UPSTREAM_BASE_URL is set), the app pointed at it, and the real nginx in front, rendered
 * from deploy/nginx/templates. Stays up until interrupted; Ctrl-C stops every process.
 *
 *   bun scripts/stack/main.ts [--runtime bun|deno] [--negative-control]
 *                             [--instances N --redis] [--postgres]
 *
 * --instances N starts N app instances behind nginx (least_conn), sharing generations, limits
 * and sign-outs through a throwaway Redis (--redis); --postgres keeps conversations in a throwaway
 * PostgreSQL. Redis and PostgreSQL come from the OS packages: scripts/prepare installs them when
 * missing (as root), and they run in temporary folders removed at exit.
 *
 * Environment: STACK_PORT (nginx, 8080), APP_PORT (3000), SIM_PORT (3001); every other setting
 * (SIM_*, CANCEL_GRACE_MS, HEARTBEAT_MS, UPSTREAM_BASE_URL + MODEL…) passes through to the app and
 * the simulator. The runtime may also come from SLUICE_RUNTIME.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { spawnSync } from "bun";
import { findPostgresBinaries } from "../../harness/stack/postgres.ts";
import { findRedisServer } from "../../harness/stack/redis.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";

function port(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    console.error(`${name}: expected a port number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

function readOptions() {
  const { values } = parseArgs({
    options: {
      runtime: { type: "string" },
      "negative-control": { type: "boolean", default: false },
      instances: { type: "string", default: "1" },
      redis: { type: "boolean", default: false },
      postgres: { type: "boolean", default: false },
    },
  });
  const instances = Number(values.instances);
  if (!Number.isInteger(instances) || instances < 1 || instances > 64) {
    console.error(`--instances: expected a whole number from 1 to 64, got "${values.instances}"`);
    process.exit(2);
  }
  if (instances > 1 && !values.redis) {
    console.error("--instances: several instances share their streams through Redis; add --redis");
    process.exit(2);
  }
  const runtime = values.runtime ?? process.env.SLUICE_RUNTIME ?? "bun";
  if (runtime !== "bun" && runtime !== "deno") {
    console.error(`--runtime: expected bun or deno, got "${runtime}"`);
    process.exit(2);
  }
  return {
    runtime,
    negativeControl: values["negative-control"],
    instances,
    redis: values.redis,
    postgres: values.postgres,
  } as const;
}

/** Runs scripts/prepare when Redis or PostgreSQL is asked for and not installed. */
function prepareServers(options: { redis: boolean; postgres: boolean }): void {
  const missing = (options.redis && !findRedisServer()) || (options.postgres && !findPostgresBinaries());
  if (!missing) return;
  console.log("Sluice stack: installing the missing servers (scripts/prepare)");
  const prepare = new URL("../prepare", import.meta.url).pathname;
  if (!spawnSync(["bash", prepare], { stdout: "inherit", stderr: "inherit" }).success) process.exit(1);
}

/** As `npm start` does: the UI is built before the app serves it. */
function buildUi(): void {
  if (!existsSync(new URL("../build-ui.ts", import.meta.url))) return;
  const result = spawnSync([process.execPath, new URL("../build-ui.ts", import.meta.url).pathname], {
    stdout: "inherit",
    stderr: "inherit",
  });
  if (!result.success) process.exit(1);
}

function announce(stack: Stack): void {
  console.log(`Sluice stack (${stack.runtime}, nginx ${stack.variant}):`);
  for (const app of stack.apps) console.log(`  ${app.name.padEnd(10)} ${app.url}   metrics: ${app.metricsUrl}/metrics`);
  if (stack.redisUrl) console.log(`  redis      ${stack.redisUrl}`);
  if (stack.databaseUrl) console.log(`  postgres   ${stack.databaseUrl}`);
  console.log(`  upstream   ${stack.upstreamBaseUrl}${stack.simulatorUrl ? "  (standalone simulator)" : ""}`);
  console.log(`  nginx      ${stack.url}   logs: ${stack.prefix.dir}`);
  console.log(`Sluice stack listening on ${stack.url}`);
}

const options = readOptions();
prepareServers(options);
buildUi();
const stack = await startStack({
  runtime: options.runtime,
  variant: options.negativeControl ? "negative-control" : "production",
  ports: { stack: port("STACK_PORT", 8080), app: port("APP_PORT", 3000), simulator: port("SIM_PORT", 3001) },
  // The app's internal listener on its usual port, so METRICS_URL has a default to point at.
  env: { DATA_DIR: process.env.DATA_DIR ?? "./data", METRICS_PORT: process.env.METRICS_PORT ?? "9464" },
  name: `cli-${process.pid}`,
  instances: options.instances,
  redis: options.redis,
  postgres: options.postgres,
}).catch((error: Error) => {
  console.error(`Sluice stack failed to start: ${error.message}`);
  process.exit(1);
});
announce(stack);
stack.relayOutput((label, line) => console.log(`[${label}] ${line}`));

let stopping = false;
const stop = async (reason: string, code: number) => {
  if (stopping) return;
  stopping = true;
  console.log(`Sluice stack: ${reason}, stopping`);
  await stack.stop();
  console.log("Sluice stack: stopped");
  process.exit(code);
};
process.on("SIGINT", () => void stop("SIGINT", 0));
process.on("SIGTERM", () => void stop("SIGTERM", 0));
void stack.exited.then(({ label, code }) => stop(`${label} exited with ${code}`, 1));
