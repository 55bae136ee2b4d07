/**
 * Per-process CPU time and resident memory from Linux's /proc, for the bench's costs:
 * CPU µs per relayed token (utime + stime, proc(5)) and RSS per open stream (VmRSS).
 */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux ABI in use (getconf CLK_TCK). */
const TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the `(comm)`, which may itself hold spaces. */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** User + system CPU time of `pid` so far, in µs (0 once the process is gone). */
export function cpuMicros(pid: number): number {
  const fields = statFields(pid);
  // After the comm: state is field 3 of proc(5), so utime (14) and stime (15) sit at 11 and 12.
  if (!fields) return 0;
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / TICKS_PER_SECOND;
}

/** The summed CPU µs of several processes. */
export function totalCpuMicros(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
}

/** Resident set size of `pid` in bytes (0 once the process is gone). */
export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The direct children of `pid` (e.g. nginx's workers under its master). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    // The parent pid is field 4 of proc(5): index 1 after the comm.
    if (fields && Number(fields[1]) === pid) children.push(Number(entry));
  }
  return children;
}

/** A process and its direct children (nginx: master + workers). */
export function withChildren(pid: number): number[] {
  return [pid, ...childPids(pid)];
}
