/**
 * Sluice's production topology on this machine, without Docker: the real nginx, rendered from the
 * shipped template, in front of the app, with the standalone simulator as the app's model. Used by
 * `npm run stack`, by the e2e tests and by the load tests.
 */
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withFetchCap } from "./fetch-cap.ts";
import { ensureNginx, reloadNginx, spawnNginx, testNginxConfig, waitForNginx } from "./nginx.ts";
import { type NginxPrefix, writeNginxPrefix } from "./nginx-prefix.ts";
import { startTestPostgres } from "./postgres.ts";
import { type Runtime, StackProcess } from "./process.ts";
import { startTestRedis } from "./redis.ts";
import { internalUrlOf, startAppService, startSimulatorService } from "./services.ts";
import { type NginxVariant, streamPolicy, type TemplateValues, upstreamServer } from "./template-vars.ts";

const START_TIMEOUT_MS = 30_000;

export interface StackOptions {
  /** Runtime of the app and the simulator; default SLUICE_RUNTIME, else bun. */
  runtime?: Runtime;
  /**
   * Settings for the app and the simulator, on top of this process's environment (CANCEL_GRACE_MS,
   * HEARTBEAT_MS, SIM_TOKENS_PER_SECOND…). With UPSTREAM_BASE_URL (and MODEL) no simulator starts.
   */
  env?: Record<string, string>;
  /** "production" (the default) or "negative-control": buffering on, gzip on text/event-stream. */
  variant?: NginxVariant;
  /** Template variables over those of the variant (e.g. SLUICE_STREAM_BUFFERING). */
  nginxTemplateVars?: TemplateValues;
  /** Listening ports; 0 or absent picks a free one. */
  ports?: { stack?: number; app?: number; simulator?: number };
  /** The address nginx listens on (default 127.0.0.1: this machine only). */
  host?: string;
  /** "lifted" (the default, for tests and benches) or "app-defaults" (`npm run stack`). */
  userLimits?: "lifted" | "app-defaults";
  /** Also serve HTTPS and HTTP/2 with the shipped TLS server block on this port. */
  tls?: { port: number; certPath: string; keyPath: string };
  /** Folder name under $TMPDIR/sluice-stack/ (default: unique); it holds nginx's prefix and every log. */
  name?: string;
  /** Keep the folder after stop() (the CLI does, for its logs). */
  keepFiles?: boolean;
  /** Inherit this process's environment (default true). */
  inheritEnv?: boolean;
  /** App instances behind nginx (default 1); more than one needs `redis`. */
  instances?: number;
  /** Start a throwaway Redis and share generations, limits and sign-outs through it (REDIS_URL). */
  redis?: boolean;
  /** Start a throwaway PostgreSQL and keep conversations in it (DATABASE_URL). */
  postgres?: boolean;
}

/** One app instance of the stack. */
export interface StackApp {
  url: string;
  metricsUrl: string;
  pid: number;
  /** Its INSTANCE_ID. */
  name: string;
}

export interface Stack {
  /** Through nginx: what a browser uses. */
  url: string;
  /** HTTPS through nginx, when `tls` was given. */
  httpsUrl: string | undefined;
  /** The (first) app directly, bypassing nginx. */
  appUrl: string;
  /** Every app instance, the first being `appUrl`. */
  apps: StackApp[];
  /** The stack's own Redis and PostgreSQL, when started with `redis` / `postgres`. */
  redisUrl: string | undefined;
  databaseUrl: string | undefined;
  /** The app's internal listener: /metrics (never reachable through nginx or the app's port). */
  metricsUrl: string;
  /** The standalone simulator (its OpenAI API is under /v1), unless UPSTREAM_BASE_URL was given. */
  simulatorUrl: string | undefined;
  upstreamBaseUrl: string;
  runtime: Runtime;
  variant: NginxVariant;
  /** nginx's folder: nginx.conf, conf.d/ as rendered, error.log. */
  prefix: NginxPrefix;
  /** nginx's JSON access log, one line per finished request. */
  accessLogPath: string;
  /** The nginx master's pid. */
  nginxPid: number;
  /** The app's pid (for CPU and memory readings). */
  appPid: number;
  /** The standalone simulator's pid, when there is one. */
  simulatorPid: number | undefined;
  /** `nginx -s reload`; resolves when new workers run (old ones finish their open streams). */
  reloadNginx(): Promise<void>;
  /** Resolves when a process of the stack exits without stop() having been called. */
  exited: Promise<{ label: string; code: number | null }>;
  /** Relays every process's output lines (app, simulator, nginx) from now on. */
  relayOutput(relay: (label: string, line: string) => void): void;
  /** Stops every process of the stack (bounded; SIGKILL after the grace) and removes the folder. */
  stop(): Promise<void>;
}

/** A port nobody listens on right now. */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

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
    NGINX_ACCESS_LOG: join(dir, "access.log"),
    ...streamPolicy(options.variant ?? "production"),
    ...tls,
    ...options.nginxTemplateVars,
  };
}

interface Children {
  processes: StackProcess[];
  /** Servers that are not StackProcesses (Redis, PostgreSQL): stopped after the apps. */
  servers: { stop(): Promise<void> }[];
  dir: string;
  runtime: Runtime;
  env: Record<string, string | undefined>;
}

/** The standalone simulator, unless the settings name another upstream: the app's model URL. */
async function startUpstream(children: Children, port = 0): Promise<{ baseUrl: string; simulatorUrl?: string }> {
  const { env, runtime, dir } = children;
  if (env.UPSTREAM_BASE_URL) return { baseUrl: env.UPSTREAM_BASE_URL };
  const simulator = await startSimulatorService({ runtime, env, port, logDir: dir, timeoutMs: START_TIMEOUT_MS });
  children.processes.push(simulator.process);
  return { baseUrl: `${simulator.url}/v1`, simulatorUrl: simulator.url };
}

/** Redis and PostgreSQL when asked for: the settings that point the apps at them. */
async function startShared(children: Children, options: StackOptions): Promise<Record<string, string>> {
  const shared: Record<string, string> = {};
  if (options.redis) {
    const redis = await startTestRedis();
    children.servers.push(redis);
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
async function startApps(
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
async function startNginx(children: Children, options: StackOptions, appUrls: string[]) {
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

function pidOf(children: Children, label: string): number | undefined {
  return children.processes.find((child) => child.label === label)?.pid;
}

/** Stops every child at once: SIGTERM, then SIGKILL after the app's drain time or 5 s. */
async function stopChildren(children: Children): Promise<void> {
  const drainMs = Number(children.env.DRAIN_TIMEOUT_MS ?? 10_000) || 10_000;
  await Promise.all(
    children.processes.map((child) => child.stop("SIGTERM", child.label.startsWith("app") ? drainMs + 5_000 : 5_000)),
  );
  await Promise.all(children.servers.map((server) => server.stop()));
}

/**
 * Starts the simulator (unless `env.UPSTREAM_BASE_URL`), the app pointed at it, and nginx in
 * front, and resolves once a request through nginx reaches the app. On failure, whatever started
 * is stopped and the error names the process with its output.
 *
 * @example
 * const stack = await startStack({ env: { CANCEL_GRACE_MS: "300" } });
 * const response = await fetch(`${stack.url}/api/chat`, { method: "POST", body: … });
 * await stack.stop();
 * @example The negative control: the same template with buffering and gzip on for event streams.
 * const control = await startStack({ variant: "negative-control" });
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const runtime = options.runtime ?? (process.env.SLUICE_RUNTIME === "deno" ? "deno" : "bun");
  const variant = options.variant ?? "production";
  // Under the temp folder, not the checkout: nginx started as root runs its workers as "nobody",
  // which must reach the temp files there, whatever the permissions of the checkout's parents.
  const dir = join(tmpdir(), "sluice-stack", options.name ?? `${process.pid}-${crypto.randomUUID().slice(0, 8)}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The app's model client is Bun's fetch: it gets the fetch cap (see fetch-cap.ts) unless set here.
  const inherited = options.inheritEnv === false ? {} : process.env;
  const env = withFetchCap({ ...inherited, ...options.env });
  if ((options.instances ?? 1) > 1 && !options.redis)
    throw new Error("several instances share their streams through Redis: add --redis");
  const children: Children = { processes: [], servers: [], dir, runtime, env };
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await stopChildren(children);
    if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const shared = await startShared(children, options);
    const upstream = await startUpstream(children, options.ports?.simulator);
    const apps = await startApps(children, upstream, options, shared);
    const [{ url: appUrl, metricsUrl }] = apps as [StackApp];
    const nginx = await startNginx(
      children,
      options,
      apps.map((app) => app.url),
    );
    const exited = Promise.race(
      children.processes.map((child) => child.child.exited.then((code) => ({ label: child.label, code }))),
    ).then((first) => (stopping ? new Promise<never>(() => {}) : first));
    return {
      url: nginx.url,
      httpsUrl: options.tls ? `https://127.0.0.1:${options.tls.port}` : undefined,
      appUrl,
      apps,
      redisUrl: shared.REDIS_URL,
      databaseUrl: shared.DATABASE_URL,
      metricsUrl,
      simulatorUrl: upstream.simulatorUrl,
      upstreamBaseUrl: upstream.baseUrl,
      runtime,
      variant,
      prefix: nginx.prefix,
      accessLogPath: join(dir, "access.log"),
      nginxPid: nginx.pid,
      appPid: apps[0]?.pid ?? 0,
      simulatorPid: pidOf(children, "simulator"),
      reloadNginx: () => reloadNginx(nginx.pid),
      exited,
      relayOutput: (relay) => {
        for (const child of children.processes) child.relayTo((line) => relay(child.label, line));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
