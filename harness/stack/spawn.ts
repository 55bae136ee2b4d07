/**
 * Starts Sluice's own processes (the app, the standalone simulator) on free ports, under the
 * runtime named by SLUICE_RUNTIME (bun, the default, or deno), and stops them after the test.
 * The spawning itself is the stack's (services.ts), so tests and stack start alike.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Subprocess } from "bun";
import type { Runtime } from "./process.ts";
import {
  awaitService,
  internalUrlOf,
  type Service,
  type ServiceOptions,
  spawnService,
  startAppService,
  startSimulatorService,
} from "./services.ts";

export const runtime: Runtime = process.env.SLUICE_RUNTIME === "deno" ? "deno" : "bun";

export interface Started {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  process: Subprocess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

function started(service: Service): Started {
  // SLUICE_TEST_VERBOSE=1 shows the processes' output while the tests run.
  if (process.env.SLUICE_TEST_VERBOSE) service.process.relayTo((line) => process.stderr.write(`${line}\n`));
  return {
    url: service.url,
    port: service.port,
    process: service.process.child,
    output: () => service.process.output(),
    stop: () => service.process.stop(),
  };
}

function options(env: Record<string, string>, which: Runtime, timeoutMs = 20_000): ServiceOptions {
  return { runtime: which, env: { ...process.env, ...env }, timeoutMs };
}

/** Spawns `entry` and waits (bounded) for its "listening on http://…" line. */
export async function startProcess(
  entry: string,
  env: Record<string, string>,
  which: Runtime = runtime,
  timeoutMs = 20_000,
): Promise<Started> {
  const label = entry.replace(/^.*\//, "");
  return started(await awaitService(spawnService(label, entry, options(env, which)), timeoutMs));
}

/** The Sluice app on a free port; `env` overrides settings (UPSTREAM_BASE_URL, CANCEL_GRACE_MS, …). */
export async function startApp(env: Record<string, string> = {}, which: Runtime = runtime): Promise<Started> {
  const settings = { DATA_DIR: freshDataDir(), DRAIN_TIMEOUT_MS: "1000", METRICS_PORT: "0", ...env };
  return started(await startAppService(options(settings, which)));
}

/** The app's internal listener (/metrics, and /sim/… when the simulator is embedded). */
export function internalUrl(app: Started): string {
  return internalUrlOf(app.output());
}

/** The standalone simulator on a free port. */
export async function startSimulator(env: Record<string, string> = {}, which: Runtime = runtime): Promise<Started> {
  return started(await startSimulatorService(options(env, which)));
}

/** A new empty data directory for one test's app. */
export function freshDataDir(): string {
  const dir = `${tmpdir()}/sluice-test-${crypto.randomUUID()}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}
