/**
 * Sluice's own processes, one at a time: the standalone simulator and the app, each on 127.0.0.1
 * under Bun or Deno, started and awaited until they print where they listen. The stack composes
 * them with nginx; the tests and the relay bench start them alone.
 */
import { join } from "node:path";
import { spawn } from "bun";
import { withFetchCap } from "./fetch-cap.ts";
import { type Runtime, runtimeCommand, StackProcess } from "./process.ts";

const root = new URL("../../", import.meta.url).pathname;

export interface ServiceOptions {
  runtime: Runtime;
  /** "lifted" (the default): per-user limits out of the way; "app-defaults": the app's own. */
  userLimits?: "lifted" | "app-defaults";
  /** The whole environment of the process (the caller decides what it inherits). */
  env: Record<string, string | undefined>;
  /** 0 or absent: a free port. */
  port?: number;
  /** A folder for `<label>.log`; without it the output is only kept in memory. */
  logDir?: string;
  timeoutMs?: number;
}

export interface Service {
  /** Where it listens, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  process: StackProcess;
}

/** Spawns `entry` under `runtime`, with Bun's fetch cap unless `env` sets its own. */
export function spawnService(label: string, entry: string, options: ServiceOptions): StackProcess {
  const env = Object.fromEntries(Object.entries(withFetchCap(options.env)).filter(([, value]) => value !== undefined));
  const child = spawn(runtimeCommand(options.runtime, entry), {
    cwd: root,
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  return new StackProcess(
    label,
    child,
    options.logDir === undefined ? undefined : join(options.logDir, `${label}.log`),
  );
}

/** Waits (bounded) for the process's `listening on` line; stops it and rethrows when that fails. */
export async function awaitService(child: StackProcess, timeoutMs = 30_000): Promise<Service> {
  try {
    const url = await child.listeningUrl(timeoutMs);
    return { url, port: Number(new URL(url).port), process: child };
  } catch (error) {
    await child.stop("SIGKILL", 0);
    throw error;
  }
}

/** The standalone simulator (`src/simulator/main.ts`); its OpenAI API is under `<url>/v1`. */
export function startSimulatorService(options: ServiceOptions): Promise<Service> {
  const env = { ...options.env, SIM_PORT: String(options.port ?? 0), SIM_HOST: "127.0.0.1" };
  return awaitService(spawnService("simulator", "src/simulator/main.ts", { ...options, env }), options.timeoutMs);
}

/** Per-user limits out of the way: load tools and tests are one client with many streams. */
export const LIFTED_USER_LIMITS = {
  LIMIT_USER_CONCURRENT: "1000000",
  LIMIT_USER_PER_MINUTE: "100000000",
  LIMIT_USER_OPEN_STREAMS: "10000000",
} as const;

/** The app (`src/main.ts`) on 127.0.0.1: only nginx, tests and benches talk to it directly. */
export function startAppService(options: ServiceOptions, label = "app"): Promise<Service> {
  // Its internal listener (metrics) on a free port too, so that several apps can run side by side.
  const env = {
    METRICS_PORT: "0",
    ...(options.userLimits === "app-defaults" ? {} : LIFTED_USER_LIMITS),
    ...options.env,
    PORT: String(options.port ?? 0),
    HOST: "127.0.0.1",
  };
  return awaitService(spawnService(label, "src/main.ts", { ...options, env }), options.timeoutMs);
}

/** The app's internal listener (/metrics, and /sim/… when the simulator is embedded), from the line it prints at start. */
export function internalUrlOf(output: string): string {
  const match = /internal routes at (http:\/\/\S+)\/metrics/.exec(output);
  if (!match?.[1]) throw new Error(`the app printed no internal listener:\n${output}`);
  return match[1];
}
