/**
 * The one /proc sampler: per-process (and per-thread) CPU time and resident memory from Linux's
 * /proc (proc(5)), for CPU µs per relayed token (utime + stime) and RSS per open stream (VmRSS).
 * Every reading is 0 (or empty) once the process is gone, so a sampler never throws mid-run.
 */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux ABI in use (getconf CLK_TCK). */
const TICKS_PER_SECOND = 100;

export interface CpuTime {
  userUs: number;
  kernelUs: number;
}

/** A /proc file's text, or undefined once its process or thread is gone. */
function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The fields of a stat file after the `(comm)`, which may itself hold spaces. */
function statFields(path: string): string[] | undefined {
  const text = readProc(path);
  return text?.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** After the comm, state is field 3 of proc(5), so utime (14) and stime (15) sit at 11 and 12. */
function cpuOf(fields: string[] | undefined): CpuTime {
  const micros = (ticks: string | undefined) => (Number(ticks ?? 0) * 1_000_000) / TICKS_PER_SECOND;
  return fields ? { userUs: micros(fields[11]), kernelUs: micros(fields[12]) } : { userUs: 0, kernelUs: 0 };
}

/** User and kernel CPU time of all of `pid`'s threads so far, in µs. */
export function cpuTime(pid: number): CpuTime {
  return cpuOf(statFields(`/proc/${pid}/stat`));
}

/** What `pid` used since `before`. */
export function cpuTimeSince(pid: number, before: CpuTime): CpuTime {
  const now = cpuTime(pid);
  return { userUs: now.userUs - before.userUs, kernelUs: now.kernelUs - before.kernelUs };
}

/** User + kernel CPU time of `pid` so far, in µs. */
export function cpuMicros(pid: number): number {
  const { userUs, kernelUs } = cpuTime(pid);
  return userUs + kernelUs;
}

/** The summed CPU µs of several processes. */
export function totalCpuMicros(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
}

/** CPU µs of `pid`'s live threads summed by thread name (Bun: "bun", "HTTP Client", GC helpers…). */
export function cpuByThread(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    const fields = statFields(`/proc/${pid}/task/${tid}/stat`);
    const name = readProc(`/proc/${pid}/task/${tid}/comm`)?.trim();
    // The thread may end between the listing and the reads.
    if (!fields || name === undefined) continue;
    const { userUs, kernelUs } = cpuOf(fields);
    byName.set(name, (byName.get(name) ?? 0) + userUs + kernelUs);
  }
  return byName;
}

/** Per thread name, what `pid` used since `before`; threads that ended meanwhile are missing. */
export function cpuByThreadSince(pid: number, before: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [name, micros] of cpuByThread(pid)) delta.set(name, micros - (before.get(name) ?? 0));
  return delta;
}

/** Resident set size of `pid` in bytes. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readProc(`/proc/${pid}/status`) ?? "");
  return match ? Number(match[1]) * 1024 : 0;
}

/** The direct children of `pid` (e.g. nginx's workers under its master). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(`/proc/${entry}/stat`);
    // The parent pid is field 4 of proc(5): index 1 after the comm.
    if (fields && Number(fields[1]) === pid) children.push(Number(entry));
  }
  return children;
}

/** A process and its direct children (nginx: master + workers). */
export function withChildren(pid: number): number[] {
  return [pid, ...childPids(pid)];
}
