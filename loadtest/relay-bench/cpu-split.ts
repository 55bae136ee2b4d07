/**
 * Where each subject's CPU goes per relayed token: the kernel, the runtime's own native code, the
 * JavaScript its JIT compiled (and in which functions), the libraries, the helper threads. The
 * process's CPU time says how much; this says where, with the same load as the side-by-side run.
 *
 *   bun loadtest/relay-bench/cpu-split.ts --tokens 100 --subjects floor,sluice,sluice-deno
 *
 * It runs `main.ts --compare` with the options given under `perf record` (Linux perf, system-wide
 * sampling: root, or kernel.perf_event_paranoid ≤ 0), every server writing its JIT's code map
 * (--profile-dir), then counts the samples of each server within its measured stretch. The
 * figures carry perf's own cost (the JIT maps, the sampling), a few percent; read them as shares.
 *
 *   bun loadtest/relay-bench/cpu-split.ts --stacks --tokens 2 --subjects peer,sluice
 *
 * With --stacks, perf records call stacks too, and the main thread's time is also counted to the
 * innermost JavaScript function on each stack: the runtime's own code, which has no symbols, is
 * then named by the function that called it (with --tokens 2, what a request costs, and where).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { JitSymbols, perfMapOf, readJitDump } from "./jit-dump.ts";

const ROOT = resolve(import.meta.dir, "../..");

/** What a sample's code was. */
export type CodeKind = "kernel" | "runtime" | "javascript" | "libraries";

/** One perf sample: the process and thread, when (epoch seconds: `perf record -k realtime`), CPU time (ns), and its code. */
export interface Sample {
  pid: number;
  tid: number;
  time: number;
  periodNs: number;
  ip: bigint;
  symbol: string;
  object: string;
  /** With call stacks (`--stacks`): the stack, innermost first (the sample's own code is the first). */
  frames?: Frame[];
}

/** One frame of a sample's call stack. */
export interface Frame {
  ip: bigint;
  symbol: string;
  object: string;
}

// `perf script -F pid,tid,time,period,ip,sym,dso`: "pid/tid time: period ip symbol (object)".
const SAMPLE_LINE = /^\s*(\d+)\/(\d+)\s+([\d.]+):\s+(\d+)\s+([0-9a-f]+)\s+(.*?)\s*\(([^()]*)\)\s*$/;

export function parseSample(line: string): Sample | undefined {
  const match = SAMPLE_LINE.exec(line);
  if (!match) return undefined;
  const [, pid, tid, time, period, ip, symbol, object] = match;
  return {
    pid: Number(pid),
    tid: Number(tid),
    time: Number(time),
    periodNs: Number(period),
    ip: BigInt(`0x${ip}`),
    symbol: symbol ?? "",
    object: object ?? "",
  };
}

// With call stacks (perf record -g), the same fields: a head "pid/tid time: period", then a line per frame.
const STACK_HEAD = /^\s*(\d+)\/(\d+)\s+([\d.]+):\s+(\d+)\s*$/;
const FRAME_LINE = /^\s+([0-9a-f]+)\s+(.*?)\s*\(([^()]*)\)\s*$/;

/** Samples from perf script's lines, one line each or with their call stacks. */
export function* samplesOf(lines: Iterable<string>): Generator<Sample> {
  let stacked: Sample | undefined;
  for (const line of lines) {
    const frame = stacked && FRAME_LINE.exec(line);
    if (stacked && frame) {
      const [, ip, symbol, object] = frame;
      stacked.frames?.push({ ip: BigInt(`0x${ip}`), symbol: symbol ?? "", object: object ?? "" });
      continue;
    }
    if (stacked) yield withLeaf(stacked);
    stacked = undefined;
    const head = STACK_HEAD.exec(line);
    if (head) {
      const [, pid, tid, time, period] = head;
      stacked = {
        pid: Number(pid),
        tid: Number(tid),
        time: Number(time),
        periodNs: Number(period),
        ip: 0n,
        symbol: "",
        object: "",
        frames: [],
      };
      continue;
    }
    const sample = parseSample(line);
    if (sample) yield sample;
  }
  if (stacked) yield withLeaf(stacked);
}

/** A stacked sample's own code is its innermost frame. */
function withLeaf(sample: Sample): Sample {
  const leaf = sample.frames?.[0];
  return leaf ? { ...sample, ip: leaf.ip, symbol: leaf.symbol, object: leaf.object } : sample;
}

/** The kind of a sample's code, from the object it ran in. */
export function codeKind(sample: Pick<Sample, "object">): CodeKind {
  const object = sample.object;
  if (object === "[kernel.kallsyms]" || object.startsWith("[kernel")) return "kernel";
  if (/\/perf-\d+\.map$/.test(object) || object.startsWith("[JIT]")) return "javascript";
  const name = basename(object);
  if (name === "bun" || name === "bun.exe" || name === "deno") return "runtime";
  return "libraries";
}

/**
 * A JIT function's name without its tier, so that its tiers add up: Bun's "JSC-FTL: name#hash",
 * Deno's (V8's) "JS:*name file:line:column" (a mark per tier: ~ * ^ ' +).
 */
export function functionName(symbol: string, root = ROOT): string {
  const name = symbol
    .replace(/^JSC-[A-Za-z]+: /, "")
    .replace(/^(JS|LazyCompile|Function):/, "")
    .replace(/^[~*^'+]+/, "");
  // The project's files by their path in it.
  return name.replaceAll(`file://${root}/`, "");
}

interface Measured {
  subject: string;
  round: number;
  tokens: number;
  pid: number;
  measuredFromMs: number;
  measuredToMs: number;
}

interface Split {
  tokens: number;
  byKind: Map<CodeKind, number>;
  otherThreads: number;
  functions: Map<string, number>;
  /**
   * With call stacks: the main thread's samples by the innermost named JavaScript function on the
   * stack, so that the runtime's code (which has no symbols) is counted to the function that called it.
   */
  callers: Map<string, number>;
}

const KINDS: [CodeKind, string][] = [
  ["kernel", "kernel"],
  ["runtime", "runtime's native code"],
  ["javascript", "JavaScript (JIT-compiled)"],
  ["libraries", "libraries (libc…)"],
];

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/**
 * Adds every sample of a measured stretch to its subject's split; a JavaScript sample of a process
 * with a JITDump is named by `symbols` (the code there at the sample's time), else by perf's map.
 */
export function splitSamples(
  lines: Iterable<string>,
  measured: Measured[],
  symbols: ReadonlyMap<number, JitSymbols> = new Map(),
): Map<string, Split> {
  const splits = new Map<string, Split>();
  const byPid = new Map<number, { entry: Measured; start: number; end: number }>();
  for (const entry of measured) {
    byPid.set(entry.pid, {
      entry,
      start: entry.measuredFromMs / 1000,
      end: entry.measuredToMs / 1000,
    });
    const split = splits.get(entry.subject) ?? {
      tokens: 0,
      byKind: new Map(),
      otherThreads: 0,
      functions: new Map(),
      callers: new Map(),
    };
    split.tokens += entry.tokens;
    splits.set(entry.subject, split);
  }
  for (const sample of samplesOf(lines)) {
    const run = byPid.get(sample.pid);
    if (!run || sample.time < run.start || sample.time > run.end) continue;
    const split = splits.get(run.entry.subject) as Split;
    const kind = codeKind(sample);
    add(split.byKind, kind, sample.periodNs);
    if (sample.tid !== sample.pid) split.otherThreads += sample.periodNs;
    const nameOf = (code: Frame) => functionName(symbols.get(sample.pid)?.nameAt(code.ip, sample.time) ?? code.symbol);
    if (sample.frames && sample.tid === sample.pid)
      add(split.callers, callerOf(sample.frames, nameOf), sample.periodNs);
    if (kind !== "javascript") continue;
    add(split.functions, nameOf(sample), sample.periodNs);
  }
  return splits;
}

/**
 * A JavaScript function by name, not one of the JIT's own stubs (`CallTrampoline`, `op_…`, inline
 * caches): JavaScriptCore names functions `name#hash`, V8 `name file:line:column`.
 */
function isNamedFunction(name: string): boolean {
  return /#|\s(file|ext|node):/.test(name);
}

/** The innermost named JavaScript function on the stack, or what the sample ran when there is none. */
function callerOf(frames: readonly Frame[], nameOf: (frame: Frame) => string): string {
  for (const frame of frames) {
    if (codeKind(frame) !== "javascript") continue;
    const name = nameOf(frame);
    if (isNamedFunction(name)) return name;
  }
  const leaf = frames[0];
  return `(no JavaScript on the stack: ${leaf ? codeKind(leaf) : "none"})`;
}

function perToken(ns: number, tokens: number): string {
  return tokens === 0 ? "—" : (ns / 1000 / tokens).toFixed(2);
}

/** The report: the split per subject, then each subject's costliest JavaScript functions. */
export function splitReport(splits: Map<string, Split>, command: string): string {
  const subjects = [...splits.keys()];
  const row = (label: string, value: (split: Split) => string) =>
    `| ${label} | ${subjects.map((name) => value(splits.get(name) as Split)).join(" | ")} |`;
  const total = (split: Split) => [...split.byKind.values()].reduce((sum, ns) => sum + ns, 0);
  const lines = [
    `Command: \`${command}\``,
    "",
    `| CPU µs per token | ${subjects.join(" | ")} |`,
    `|---|${subjects.map(() => "---:").join("|")}|`,
    row("all (perf samples)", (split) => perToken(total(split), split.tokens)),
    ...KINDS.map(([kind, label]) => row(label, (split) => perToken(split.byKind.get(kind) ?? 0, split.tokens))),
    row("of all: on other threads (GC, JIT compiler…)", (split) => perToken(split.otherThreads, split.tokens)),
    row("tokens", (split) => String(split.tokens)),
  ];
  for (const name of subjects) {
    const split = splits.get(name) as Split;
    const top = [...split.functions].sort((a, b) => b[1] - a[1]).slice(0, 15);
    if (top.length === 0) continue;
    lines.push("", `JavaScript functions of ${name}, µs per token (tiers added up):`, "");
    for (const [fn, ns] of top) lines.push(`- ${perToken(ns, split.tokens)} \`${fn}\``);
  }
  for (const name of subjects) {
    const split = splits.get(name) as Split;
    const top = [...split.callers].sort((a, b) => b[1] - a[1]).slice(0, 20);
    if (top.length === 0) continue;
    lines.push(
      "",
      `Main thread of ${name} by the innermost JavaScript function on the stack (its own time and the runtime code it called), µs per token:`,
      "",
    );
    for (const [fn, ns] of top) lines.push(`- ${perToken(ns, split.tokens)} \`${fn}\``);
  }
  return `${lines.join("\n")}\n`;
}

async function run(command: string[]): Promise<number> {
  const child = Bun.spawn(command, { stdout: "inherit", stderr: "inherit" });
  return child.exited;
}

async function main(argv: string[]): Promise<number> {
  if (!Bun.which("perf")) {
    console.error("cpu-split needs Linux perf (Debian: apt-get install linux-perf).");
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), "sluice-cpu-split-"));
  const data = join(dir, "perf.data");
  const stacks = argv.includes("--stacks");
  const benchArgs = argv.filter((arg) => arg !== "--stacks");
  const bench = [process.execPath, "loadtest/relay-bench/main.ts", "--compare", ...benchArgs];
  const recorded = await run([
    "perf",
    "record",
    ...(stacks ? ["-g"] : []),
    "-k",
    "realtime",
    "-a",
    "-F",
    "999",
    "-o",
    data,
    "--",
    ...bench,
    "--results",
    join(dir, "bench"),
    "--profile-dir",
    dir,
  ]);
  if (recorded !== 0) return recorded;
  const { measured } = JSON.parse(readFileSync(join(dir, "bench.json"), "utf8")) as { measured: Measured[] };
  // Bun's code maps, for perf to name its JIT code (where perf looks for them); Deno wrote its own.
  const maps: string[] = [];
  const symbols = new Map<number, JitSymbols>();
  const realtimeOffsetS = Date.now() / 1000 - Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  for (const file of readdirSync(dir).filter((name) => /^jit-.*\.dump$/.test(name))) {
    const dump = readJitDump(readFileSync(join(dir, file)));
    const map = join("/tmp", `perf-${dump.pid}.map`);
    writeFileSync(map, perfMapOf(dump));
    maps.push(map);
    symbols.set(dump.pid, new JitSymbols(dump, realtimeOffsetS));
  }
  const pids = measured.map((entry) => entry.pid).join(",");
  const script = Bun.spawnSync(["perf", "script", "-i", data, "--pid", pids, "-F", "pid,tid,time,period,ip,sym,dso"], {
    stdout: "pipe",
    stderr: "ignore",
  });
  for (const map of maps) rmSync(map, { force: true });
  const splits = splitSamples(script.stdout.toString().split("\n"), measured, symbols);
  const report = splitReport(splits, `bun loadtest/relay-bench/cpu-split.ts ${argv.join(" ")}`);
  console.log(`\n${report}`);
  writeFileSync(join(dir, "cpu-split.md"), report);
  console.log(`written: ${join(dir, "cpu-split.md")} (perf data beside it)`);
  return 0;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
