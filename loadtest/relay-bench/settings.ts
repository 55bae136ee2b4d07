/**
 * The relay bench's command-line settings, each with its default.
 */
import { parseArgs } from "node:util";
import type { Runtime } from "../../harness/stack/process.ts";
import { SUBJECTS, type SubjectName } from "./subjects.ts";

export interface RelaySettings {
  runtime: Runtime;
  /** Concurrent streams of the relay measurement. */
  streams: number;
  /** Content tokens per stream. */
  tokens: number;
  /** Tokens per second per stream. */
  tps: number;
  /** The simulator's delay before the first token, ms. */
  ttftMs: number;
  /** Streams stopped at once for the Stop latency. */
  stops: number;
  /** Fresh processes per run; every run is printed, then the medians. */
  runs: number;
  /** The app's in-process simulator instead of a standalone one. */
  embedded: boolean;
  /** BUN_OPTIONS for the app (e.g. a CPU profile). */
  appBunOptions: string | undefined;
  /** The app with REDIS_URL (a throwaway Redis per run): "off", "on", or "both", alternating per run. */
  redis: "off" | "on" | "both";
  /** Chats start on a second instance and are watched on the measured one, through Redis. */
  remote: boolean;
  /** Side by side: the peer and Sluice's variants, `GET /chat?q=` on each (compare.ts). */
  compare: boolean;
  /** With --compare: the subjects, in their first round's order. */
  subjects: SubjectName[];
  /** With --compare: streams per warm-up round (100; as many as --streams: model connections warm). */
  warmUpStreams: number;
  /** With --compare: warm-up rounds (2; more: the JIT done with every request's code, see measure-subject.ts). */
  warmUpRounds: number;
  /** With --compare: the extra environment of the `sluice-alt` subject (--alt-env "A=1,B=2"). */
  altEnv: Record<string, string>;
  /** With --compare: where the results go (`<results>.md`, `.json`); none when empty. */
  results: string | undefined;
  /**
   * With --compare: every server under test writes its JIT's code map for `perf` (Bun's JITDump
   * files into this folder, Deno's map into /tmp), for a run under `perf record` (cpu-split.ts).
   */
  profileDir: string | undefined;
}

/** Reads the settings from `argv` (process.argv after the script). */
export function readSettings(argv: string[] = process.argv.slice(2)): RelaySettings {
  const { values: flags } = parseArgs({
    args: argv,
    options: {
      runtime: { type: "string", default: "bun" },
      streams: { type: "string", default: "1000" },
      tokens: { type: "string", default: "200" },
      tps: { type: "string", default: "20" },
      "ttft-ms": { type: "string", default: "200" },
      stops: { type: "string", default: "200" },
      runs: { type: "string", default: "1" },
      embedded: { type: "boolean", default: false },
      "app-bun-options": { type: "string" },
      redis: { type: "string", default: "off" },
      remote: { type: "boolean", default: false },
      compare: { type: "boolean", default: false },
      subjects: { type: "string", default: SUBJECTS.join(",") },
      results: { type: "string" },
      "alt-env": { type: "string", default: "" },
      "warm-up": { type: "string", default: "100" },
      "warm-up-rounds": { type: "string", default: "2" },
      "profile-dir": { type: "string" },
    },
  });
  const subjects = flags.subjects.split(",").filter((name) => name !== "");
  const unknown = subjects.find((name) => !(SUBJECTS as readonly string[]).includes(name));
  if (unknown) throw new Error(`--subjects: "${unknown}" is not one of ${SUBJECTS.join(", ")}`);
  if (!["off", "on", "both"].includes(flags.redis))
    throw new Error(`--redis: expected off, on or both, got "${flags.redis}"`);
  return {
    runtime: flags.runtime === "deno" ? "deno" : "bun",
    streams: Number(flags.streams),
    tokens: Number(flags.tokens),
    tps: Number(flags.tps),
    ttftMs: Number(flags["ttft-ms"]),
    stops: Number(flags.stops),
    runs: Number(flags.runs),
    embedded: flags.embedded,
    appBunOptions: flags["app-bun-options"],
    // Watching another instance's generations needs Redis.
    redis: flags.remote ? "on" : (flags.redis as RelaySettings["redis"]),
    remote: flags.remote,
    compare: flags.compare,
    subjects: subjects as SubjectName[],
    results: flags.results,
    profileDir: flags["profile-dir"],
    warmUpStreams: Number(flags["warm-up"]),
    warmUpRounds: Number(flags["warm-up-rounds"]),
    altEnv: Object.fromEntries(
      flags["alt-env"]
        .split(",")
        .filter((pair) => pair.includes("="))
        .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
    ),
  };
}

/** The environment that makes Bun's and Deno's JITs tell `perf` what their code is. */
export function profileEnvFor(dir: string): Record<string, string> {
  return { BUN_JSC_useJITDump: "1", BUN_JSC_jitDumpDirectory: dir, DENO_V8_FLAGS: "--perf-basic-prof" };
}
