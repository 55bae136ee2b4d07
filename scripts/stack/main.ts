/**
 * `npm run stack`: Sluice's production topology on this machine, without Docker. The simulator
 * (unless UPSTREAM_BASE_URL is set), the app pointed at it, and the real nginx in front, rendered
 * from deploy/nginx/templates. Stays up until interrupted; Ctrl-C stops every process.
 *
 *   bun scripts/stack/main.ts [--runtime bun|deno] [--negative-control]
 *                             [--instances N --redis [--balance users]] [--postgres] [--profile bench] [--help]
 *
 * --instances N starts N app instances behind nginx (least_conn; --balance users keeps each user
 * on one), sharing generations, limits and sign-outs through a throwaway Redis (--redis);
 * --postgres keeps conversations in a throwaway PostgreSQL. Redis and PostgreSQL come from the OS packages: scripts/prepare installs them when
 * missing (as root), and they run in temporary folders removed at exit.
 *
 * nginx listens on STACK_HOST (127.0.0.1: this machine only). Another address serves the network,
 * so it needs AUTH=token (with AUTH_TOKENS) or AUTH=trusted-header: the stack never serves the
 * network as the one open user of AUTH=none. The app keeps its own per-user limits, except with
 * --profile bench, which lifts them for load tools (one client, many streams).
 *
 * Environment: STACK_HOST, STACK_PORT (nginx, 8080), APP_PORT (3000), SIM_PORT (3001); every other
 * setting (AUTH*, SIM_*, CANCEL_GRACE_MS, HEARTBEAT_MS, UPSTREAM_BASE_URL + MODEL…) passes through
 * to the app and the simulator. The runtime may also come from SLUICE_RUNTIME.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { spawnSync } from "bun";
import { findPostgresBinaries } from "../../harness/stack/postgres.ts";
import { findRedisServer } from "../../harness/stack/redis.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { isLoopback } from "../../src/auth/cidr.ts";

function port(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    console.error(`${name}: expected a port number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const USAGE = `Usage: npm run stack -- [options]

Starts the simulator, the app and nginx in front (the production topology, without Docker).

  --runtime bun|deno      the app's runtime (default: SLUICE_RUNTIME, else bun)
  --instances N --redis   N app instances sharing a throwaway Redis
  --balance users         nginx keeps each user on one instance (hash), instead of the
                          fewest open connections (connections, the default)
  --postgres              conversations in a throwaway PostgreSQL
  --profile bench         per-user limits lifted, for load tools (one client, many streams);
                          also STACK_PROFILE=bench
  --negative-control      nginx with buffering and gzip on event streams (tests only)
  --help                  this text

Environment: STACK_HOST (127.0.0.1), STACK_PORT (8080), APP_PORT (3000), SIM_PORT (3001);
every other setting (AUTH, AUTH_TOKENS, SIM_*, …) passes through to the app.
A STACK_HOST beyond this machine needs AUTH=token (and AUTH_TOKENS) or AUTH=trusted-header.`;

/** Exits with `message` and the usage line (status 2: a mistake in how the stack was started). */
function usageError(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        runtime: { type: "string" },
        "negative-control": { type: "boolean", default: false },
        instances: { type: "string", default: "1" },
        redis: { type: "boolean", default: false },
        balance: { type: "string", default: "connections" },
        postgres: { type: "boolean", default: false },
        profile: { type: "string", default: process.env.STACK_PROFILE ?? "default" },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    usageError((error as Error).message);
  }
}

/** The address nginx listens on; beyond loopback only with access control the operator chose. */
function stackHost(): string {
  const host = process.env.STACK_HOST?.trim() || "127.0.0.1";
  const auth = process.env.AUTH?.trim();
  if (!isLoopback(host) && auth !== "token" && auth !== "trusted-header")
    usageError(
      `STACK_HOST=${host} serves the network, and AUTH=${auth || "(unset)"} would let everyone in as one user: ` +
        "set AUTH=token with AUTH_TOKENS=name:<token> (openssl rand -base64 32), or AUTH=trusted-header",
    );
  return host;
}

function readOptions() {
  const values = parse();
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.profile !== "default" && values.profile !== "bench")
    usageError(`--profile: expected bench, got "${values.profile}"`);
  const instances = Number(values.instances);
  if (!Number.isInteger(instances) || instances < 1 || instances > 64)
    usageError(`--instances: expected a whole number from 1 to 64, got "${values.instances}"`);
  if (instances > 1 && !values.redis)
    usageError("--instances: several instances share their streams through Redis; add --redis");
  if (values.balance !== "connections" && values.balance !== "users")
    usageError(`--balance: expected connections or users, got "${values.balance}"`);
  const runtime = values.runtime ?? process.env.SLUICE_RUNTIME ?? "bun";
  if (runtime !== "bun" && runtime !== "deno") usageError(`--runtime: expected bun or deno, got "${runtime}"`);
  return {
    runtime,
    host: stackHost(),
    bench: values.profile === "bench",
    negativeControl: values["negative-control"],
    instances,
    redis: values.redis,
    balance: values.balance,
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
  host: options.host,
  userLimits: options.bench ? "lifted" : "app-defaults",
  instances: options.instances,
  redis: options.redis,
  balance: options.balance,
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
