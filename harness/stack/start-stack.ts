/**
 * Sluice's production topology on this machine, without Docker: the real nginx, rendered from the
 * shipped template, in front of the app, with the standalone simulator as the app's model. Used by
 * `npm run stack`, by the e2e tests and by the load tests.
 */
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withFetchCap } from "./fetch-cap.ts";
import { reloadNginx } from "./nginx.ts";
import {
  type Children,
  pidOf,
  startApps,
  startNginx,
  startShared,
  startUpstream,
  stopChildren,
} from "./stack-members.ts";
import type { Stack, StackApp, StackOptions } from "./stack-options.ts";

export type { Stack, StackApp, StackOptions } from "./stack-options.ts";

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
      redisPid: children.redis?.pid(),
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
