/**
 * What a stack is asked for (StackOptions) and what it gives back (Stack): the contract of
 * startStack() for `npm run stack`, the e2e tests and the benches.
 */
import type { NginxPrefix } from "./nginx-prefix.ts";
import type { Runtime } from "./process.ts";
import type { BALANCE, NginxVariant, TemplateValues } from "./template-vars.ts";

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
  /** How nginx picks an instance: "connections" (least_conn, the default) or "users" (each user on one). */
  balance?: keyof typeof BALANCE;
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
  /** The stack's own Redis server's pid (for its CPU), when started with `redis`. */
  redisPid: number | undefined;
  /** `nginx -s reload`; resolves when new workers run (old ones finish their open streams). */
  reloadNginx(): Promise<void>;
  /** Resolves when a process of the stack exits without stop() having been called. */
  exited: Promise<{ label: string; code: number | null }>;
  /** Relays every process's output lines (app, simulator, nginx) from now on. */
  relayOutput(relay: (label: string, line: string) => void): void;
  /** Stops every process of the stack (bounded; SIGKILL after the grace) and removes the folder. */
  stop(): Promise<void>;
}
