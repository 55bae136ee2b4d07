/**
 * A Docker engine for the compose tests: the one already running, or one started here and stopped
 * afterwards. Where none can run, the tests are skipped with the reason, never passed.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type Subprocess, spawn, spawnSync, which } from "bun";

// How the test machines run Docker: no storage driver but vfs works inside their virtual machine,
// and no default bridge or NAT rules (builds use the host's network, see build-overrides.yml).
// Compose's own networks still connect the services by name.
const DOCKERD_FLAGS = ["--storage-driver=vfs", "--iptables=false", "--bridge=none"];
const START_TIMEOUT_MS = 60_000;

export type Engine = { available: true; stop(): Promise<void> } | { available: false; reason: string };

function answers(): boolean {
  return spawnSync(["docker", "info", "--format", "{{.ServerVersion}}"], { stdout: "ignore", stderr: "ignore" })
    .success;
}

/** Stops a dockerd started here: SIGTERM, which stops its containers and its containerd too. */
async function stopDaemon(daemon: Subprocess): Promise<void> {
  daemon.kill("SIGTERM");
  const stopped = await Promise.race([daemon.exited.then(() => true), Bun.sleep(30_000).then(() => false)]);
  if (!stopped) daemon.kill("SIGKILL");
}

/** The running engine, else a dockerd of our own; `available: false` says why there is none. */
export async function startEngine(): Promise<Engine> {
  if (!which("docker")) return { available: false, reason: "the docker CLI is not installed" };
  if (answers()) return { available: true, stop: async () => {} };
  if (!which("dockerd")) return { available: false, reason: "no engine answers and dockerd is not installed" };
  if (process.getuid?.() !== 0) return { available: false, reason: "no engine answers and dockerd needs root" };
  const log = join(mkdtempSync(join(tmpdir(), "sluice-dockerd-")), "dockerd.log");
  const daemon = spawn(["dockerd", ...DOCKERD_FLAGS], { stdout: Bun.file(log), stderr: Bun.file(log) });
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (answers()) {
      // The log is kept only while the daemon runs; a failed start shows its tail below.
      return { available: true, stop: () => stopDaemon(daemon).then(() => rmSync(dirname(log), { recursive: true })) };
    }
    if (daemon.exitCode !== null) break;
    await Bun.sleep(250);
  }
  await stopDaemon(daemon);
  const tail = readFileSync(log, "utf8").trim().split("\n").slice(-5).join("\n");
  return { available: false, reason: `dockerd did not start:\n${tail}` };
}
