/**
 * The members of a stack, each started into its `Children` so that a failure part-way stops what
 * did start: the model (the standalone simulator, unless UPSTREAM_BASE_URL names another), the
 * shared servers (Redis, PostgreSQL), the app instances, and nginx in front of them.
 */
import { join } from "node:path";
import { freePort } from "./free-port.ts";
import { ensureNginx, spawnNginx, testNginxConfig, waitForNginx } from "./nginx.ts";
import { writeNginxPrefix } from "./nginx-prefix.ts";
import { startTestPostgres } from "./postgres.ts";
import { type Runtime, StackProcess } from "./process.ts";
import { startTestRedis, type TestRedis } from "./redis.ts";
import { internalUrlOf, startAppService, startSimulatorService } from "./services.ts";
import type { StackApp, StackOptions } from "./stack-options.ts";
import { BALANCE, streamPolicy, type TemplateValues, upstreamServer } from "./template-vars.ts";

const START_TIMEOUT_MS = 30_000;

function nginxValues(options: StackOptions, port: number, appUrls: string[], dir: string): TemplateValues {
  // "127.0.0.1:8080": the template's listen takes an address too; nginx answers nobody else.
  const host = options.host ?? "127.0.0.1";
  const address = (bound: number) => `${host.includes(":") ? `[${host}]` : host}:${bound}`;
  const tls = options.tls
    ? {
        NGINX_TLS_PORT: address(options.tls.port),
        SLUICE_TLS_CERT: options.tls.certPath,
        SLUICE_TLS_KEY: options.tls.keyPath,
      }
    : {};
  return {
    NGINX_PORT: address(port),
    SLUICE_UPSTREAM: new URL(appUrls[0] as string).host,
    SLUICE_UPSTREAM_MORE: appUrls
      .slice(1)
      .map((url) => upstreamServer(new URL(url).host))
      .join("\n    "),
    SLUICE_BALANCE: BALANCE[options.balance ?? "connections"],
    NGINX_ACCESS_LOG: join(dir, "access.log"),
    ...streamPolicy(options.variant ?? "production"),
    ...tls,
    ...options.nginxTemplateVars,
  };
}

export interface Children {
  processes: StackProcess[];
  /** Servers that are not StackProcesses (Redis, PostgreSQL): stopped after the apps. */
  servers: { stop(): Promise<void> }[];
  dir: string;
  runtime: Runtime;
  env: Record<string, string | undefined>;
  /** The stack's own Redis, when it started one. */
  redis?: TestRedis;
}

/** The standalone simulator, unless the settings name another upstream: the app's model URL. */
export async function startUpstream(children: Children, port = 0): Promise<{ baseUrl: string; simulatorUrl?: string }> {
  const { env, runtime, dir } = children;
  if (env.UPSTREAM_BASE_URL) return { baseUrl: env.UPSTREAM_BASE_URL };
  const simulator = await startSimulatorService({ runtime, env, port, logDir: dir, timeoutMs: START_TIMEOUT_MS });
  children.processes.push(simulator.process);
  return { baseUrl: `${simulator.url}/v1`, simulatorUrl: simulator.url };
}

/** Redis and PostgreSQL when asked for: the settings that point the apps at them. */
export async function startShared(children: Children, options: StackOptions): Promise<Record<string, string>> {
  const shared: Record<string, string> = {};
  if (options.redis) {
    const redis = await startTestRedis();
    children.servers.push(redis);
    children.redis = redis;
    shared.REDIS_URL = redis.url;
  }
  if (options.postgres) {
    const postgres = await startTestPostgres();
    children.servers.push(postgres);
    shared.DATABASE_URL = postgres.url;
  }
  // Instances accept each other's sessions only with one secret.
  if ((options.instances ?? 1) > 1 && !children.env.SESSION_SECRET)
    shared.SESSION_SECRET = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  return shared;
}

/** The app instances, pointed at `upstream`; each has its own DATA_DIR when there are several. */
export async function startApps(
  children: Children,
  upstream: { baseUrl: string; simulatorUrl?: string },
  options: StackOptions,
  shared: Record<string, string>,
): Promise<StackApp[]> {
  const { env, runtime, dir } = children;
  const count = options.instances ?? 1;
  const dataDir = env.DATA_DIR ?? join(dir, "data");
  const starts = Array.from({ length: count }, async (_, index) => {
    const name = count === 1 ? "app" : `app-${index + 1}`;
    const appEnv = {
      ...env,
      ...shared,
      UPSTREAM_BASE_URL: upstream.baseUrl,
      MODEL: env.MODEL ?? (upstream.simulatorUrl ? "demo" : undefined),
      DATA_DIR: count === 1 ? dataDir : join(dataDir, name),
      INSTANCE_ID: env.INSTANCE_ID ?? name,
      // One fixed internal port at most (the CLI's 9464, for METRICS_URL): the others pick one.
      ...(index > 0 ? { METRICS_PORT: "0" } : {}),
    };
    const port = index === 0 ? (options.ports?.app ?? 0) : 0;
    const service = { runtime, env: appEnv, port, logDir: dir, timeoutMs: START_TIMEOUT_MS };
    const app = await startAppService({ ...service, userLimits: options.userLimits ?? "lifted" }, name);
    children.processes.push(app.process);
    return { url: app.url, metricsUrl: internalUrlOf(app.process.output()), pid: app.process.pid, name };
  });
  return Promise.all(starts);
}

/** nginx rendered from the shipped files, in front of `appUrl`; resolves once it proxies. */
export async function startNginx(children: Children, options: StackOptions, appUrls: string[]) {
  const binary = ensureNginx();
  const port = options.ports?.stack || freePort();
  const values = nginxValues(options, port, appUrls, children.dir);
  const prefix = writeNginxPrefix(children.dir, values, { tls: Boolean(options.tls) });
  testNginxConfig(binary, prefix);
  const nginx = new StackProcess("nginx", spawnNginx(binary, prefix), join(children.dir, "nginx.log"));
  children.processes.push(nginx);
  const host = options.host && !["0.0.0.0", "::"].includes(options.host) ? options.host : "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  await waitForNginx(url, nginx, prefix, START_TIMEOUT_MS);
  return { url, prefix, pid: nginx.pid };
}

export function pidOf(children: Children, label: string): number | undefined {
  return children.processes.find((child) => child.label === label)?.pid;
}

/** Stops every child at once: SIGTERM, then SIGKILL after the app's drain time or 5 s. */
export async function stopChildren(children: Children): Promise<void> {
  const drainMs = Number(children.env.DRAIN_TIMEOUT_MS ?? 10_000) || 10_000;
  await Promise.all(
    children.processes.map((child) => child.stop("SIGTERM", child.label.startsWith("app") ? drainMs + 5_000 : 5_000)),
  );
  await Promise.all(children.servers.map((server) => server.stop()));
}
