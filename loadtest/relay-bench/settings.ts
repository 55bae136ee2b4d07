/**
 * The relay bench's command-line settings, each with its default.
 */
import { parseArgs } from "node:util";
import type { Runtime } from "../../harness/stack/process.ts";

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
    },
  });
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
  };
}
