/**
 * The real nginx, run in the foreground from a private prefix (see nginx-prefix.ts): found or
 * installed, started, reloaded and stopped.
 */
import { existsSync, readFileSync } from "node:fs";
import { type Subprocess, spawn, spawnSync, which } from "bun";
import type { NginxPrefix } from "./nginx-prefix.ts";
import { type StackProcess, StackProcessError } from "./process.ts";

export class NginxError extends Error {
  override name = "NginxError";
  constructor(
    readonly code: "nginx_missing" | "nginx_failed",
    message: string,
  ) {
    super(message);
  }
}

// nginx lives in sbin, which is not on an ordinary user's PATH.
const SEARCH_PATH = `${process.env.PATH ?? ""}:/usr/local/sbin:/usr/sbin:/sbin`;

/** The nginx binary on this machine, or undefined. */
export function findNginx(): string | undefined {
  return which("nginx", { PATH: SEARCH_PATH }) ?? undefined;
}

/**
 * The nginx binary; installs Debian's `nginx-light` when it is missing and this process is root
 * with apt-get at hand, else throws {@link NginxError} `nginx_missing` with what to do.
 */
export function ensureNginx(log: (line: string) => void = console.log): string {
  const found = findNginx();
  if (found) return found;
  const apt = which("apt-get", { PATH: SEARCH_PATH });
  if (apt && process.getuid?.() === 0) {
    log("nginx is not installed; installing nginx-light with apt-get…");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const install = () => spawnSync([apt, "install", "-y", "--no-install-recommends", "nginx-light"], { env });
    // A fresh machine has no package lists yet; fetch them once and try again.
    if (!install().success) spawnSync([apt, "update"], { env });
    if (install().success && findNginx()) return findNginx() as string;
  }
  throw new NginxError(
    "nginx_missing",
    "nginx is not installed. Install it (Debian/Ubuntu: sudo apt-get install nginx-light; macOS: brew install nginx) " +
      "or use docker-compose up.",
  );
}

/** nginx's arguments for a prefix: everything it writes stays inside it. */
export function nginxArguments(prefix: NginxPrefix): string[] {
  return ["-p", prefix.dir, "-c", prefix.confPath, "-e", prefix.errorLogPath, "-g", `pid ${prefix.pidPath};`];
}

/** What nginx wrote to its error log so far (start-up failures land there, not on stderr). */
export function nginxErrors(prefix: NginxPrefix): string {
  return existsSync(prefix.errorLogPath) ? readFileSync(prefix.errorLogPath, "utf8") : "";
}

/**
 * Checks the rendered configuration with `nginx -t`.
 * @throws {NginxError} `nginx_failed` with nginx's own message.
 */
export function testNginxConfig(binary: string, prefix: NginxPrefix): void {
  const result = spawnSync([binary, ...nginxArguments(prefix), "-t", "-q"], { stderr: "pipe" });
  if (!result.success) {
    throw new NginxError("nginx_failed", `nginx -t failed:\n${result.stderr.toString()}${nginxErrors(prefix)}`);
  }
}

/** Starts nginx's master process in the foreground (daemon off; master_process stays on). */
export function spawnNginx(binary: string, prefix: NginxPrefix): Subprocess<"ignore", "pipe", "pipe"> {
  const args = nginxArguments(prefix);
  args[args.length - 1] = `pid ${prefix.pidPath}; daemon off;`;
  return spawn([binary, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
}

/** The pids of the worker processes of the nginx master `masterPid`. */
export function workerPids(masterPid: number): number[] {
  const result = spawnSync(["ps", "-o", "pid=", "--ppid", String(masterPid)]);
  return result.stdout
    .toString()
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0);
}

/**
 * Reloads the configuration as `nginx -s reload` does (SIGHUP to the master) and waits until new
 * workers run. Old workers keep their open connections until they finish or until
 * worker_shutdown_timeout (deploy/nginx/nginx.conf) closes them.
 */
export async function reloadNginx(masterPid: number, timeoutMs = 10_000): Promise<void> {
  const before = new Set(workerPids(masterPid));
  process.kill(masterPid, "SIGHUP");
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (workerPids(masterPid).some((pid) => !before.has(pid))) return;
    await Bun.sleep(50);
  }
  throw new NginxError("nginx_failed", `nginx did not start new workers within ${timeoutMs} ms of SIGHUP`);
}

/**
 * Resolves once a request through nginx reaches the app (GET /healthz answers 200).
 * @throws {StackProcessError} when nginx exits first or `timeoutMs` passes, with its error log.
 */
export async function waitForNginx(url: string, nginx: StackProcess, prefix: NginxPrefix, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (nginx.child.exitCode !== null) {
      throw new StackProcessError("process_exited", `nginx exited:\n${nginx.output()}${nginxErrors(prefix)}`);
    }
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
    if (response?.ok) return;
    await Bun.sleep(50);
  }
  throw new StackProcessError("process_start_timeout", `nginx did not answer /healthz:\n${nginxErrors(prefix)}`);
}
