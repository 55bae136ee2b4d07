/**
 * The one environment report: the machine and the runtimes a bench ran on, printed with and
 * stored beside the figures, since numbers from one machine say little without it.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";

export interface BenchEnvironment {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  os: string;
  bun: string;
  deno: string;
  nginx: string;
  /** The per-process open-file limit (each stream is two sockets in nginx and two in the app). */
  openFilesLimit: string;
  /** The 1-minute load average when the bench began: others' work on a shared machine shows here. */
  loadAverageAtStart: number;
}

function commandOutput(command: string[]): string {
  try {
    const result = Bun.spawnSync(command, { stdout: "pipe", stderr: "pipe" });
    return `${result.stdout.toString()}${result.stderr.toString()}`.trim();
  } catch {
    return "not found";
  }
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Describes this machine; `nginxBinary` is the one the stack runs. */
export function describeEnvironment(root: string, nginxBinary = "nginx"): BenchEnvironment {
  return {
    cpuModel: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    os: osName(),
    bun: Bun.version,
    deno: commandOutput([`${root}node_modules/.bin/deno`, "--version"]).split("\n")[0] ?? "unknown",
    nginx: commandOutput([nginxBinary, "-v"]).replace(/^nginx version: /, ""),
    openFilesLimit: commandOutput(["bash", "-c", "ulimit -Hn"]),
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The environment in one sentence, as every bench prints it. */
export function describeMachine(env: BenchEnvironment): string {
  return `${env.cpuModel}, ${env.cores} cores, ${env.memoryGiB} GiB, ${env.os}, Linux ${env.kernel}; Bun ${env.bun}, ${env.deno}, nginx ${env.nginx}; open files ${env.openFilesLimit} per process; load average ${env.loadAverageAtStart ?? "?"} at the start`;
}
