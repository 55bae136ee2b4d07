/**
 * Starts Sluice's own processes (the app, the standalone simulator) on free ports, under the
 * runtime named by SLUICE_RUNTIME (bun, the default, or deno), and stops them after the test.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { type Subprocess, spawn } from "bun";
import { runtimeCommand } from "../../scripts/stack/process.ts";
import { internalUrlOf } from "../../scripts/stack/start-stack.ts";

export type Runtime = "bun" | "deno";

export const runtime: Runtime = process.env.SLUICE_RUNTIME === "deno" ? "deno" : "bun";

const root = new URL("../../", import.meta.url).pathname;

export interface Started {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  process: Subprocess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** Spawns `entry` and waits (bounded) for its "listening on http://…" line. */
export async function startProcess(
  entry: string,
  env: Record<string, string>,
  which: Runtime = runtime,
  timeoutMs = 20_000,
): Promise<Started> {
  const child = spawn(runtimeCommand(which, entry), {
    cwd: root,
    env: { BUN_CONFIG_MAX_HTTP_REQUESTS: "16384", ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  const decoder = new TextDecoder();
  let resolveUrl: (url: string) => void = () => {};
  const urlSeen = new Promise<string>((resolve) => {
    resolveUrl = resolve;
  });
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match?.[1]) resolveUrl(match[1]);
      if (process.env.SLUICE_TEST_VERBOSE) process.stderr.write(chunk);
    }
  };
  void pump(child.stdout);
  void pump(child.stderr);
  let timeout: ReturnType<typeof setTimeout> | undefined;
  const timer = new Promise<never>((_, reject) => {
    timeout = setTimeout(() => reject(new Error(`${entry} did not start in ${timeoutMs} ms:\n${text}`)), timeoutMs);
  });
  const exited = child.exited.then((code) => {
    throw new Error(`${entry} exited with ${code} before listening:\n${text}`);
  });
  const seen = await Promise.race([urlSeen, timer, exited]).finally(() => clearTimeout(timeout));
  const url = seen.replace("0.0.0.0", "127.0.0.1").replace("localhost", "127.0.0.1");
  return {
    url,
    port: Number(new URL(url).port),
    process: child,
    output: () => text,
    async stop() {
      child.kill("SIGTERM");
      const done = await Promise.race([child.exited, Bun.sleep(5_000).then(() => "timeout")]);
      if (done === "timeout") child.kill("SIGKILL");
      await child.exited;
    },
  };
}

/** The Sluice app on a free port; `env` overrides settings (UPSTREAM_BASE_URL, CANCEL_GRACE_MS, …). */
export function startApp(env: Record<string, string> = {}, which: Runtime = runtime): Promise<Started> {
  return startProcess(
    "src/main.ts",
    { PORT: "0", METRICS_PORT: "0", HOST: "127.0.0.1", DATA_DIR: freshDataDir(), DRAIN_TIMEOUT_MS: "1000", ...env },
    which,
  );
}

/** The app's internal listener (/metrics, and /sim/… when the simulator is embedded). */
export function internalUrl(app: Started): string {
  return internalUrlOf(app.output());
}

/** The standalone simulator on a free port. */
export function startSimulator(env: Record<string, string> = {}, which: Runtime = runtime): Promise<Started> {
  return startProcess("src/simulator/main.ts", { SIM_PORT: "0", SIM_HOST: "127.0.0.1", ...env }, which);
}

/** A new empty data directory for one test's app. */
export function freshDataDir(): string {
  const dir = `${tmpdir()}/sluice-test-${crypto.randomUUID()}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}
