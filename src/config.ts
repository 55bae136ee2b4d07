/**
 * The one reader of the environment. Every setting is parsed and validated once, with a
 * default; a bad value stops start-up with a message naming the variable.
 */
import { readFileSync } from "node:fs";

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `expected ${min}..${max}, got ${value}`);
  return value;
}

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  return raw === undefined || raw === "" ? fallback : raw;
}

function url(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("protocol");
  } catch {
    throw new ConfigError(name, `expected an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}

/** A secret from `NAME` or from the file named by `NAME_FILE` (Docker secrets). */
function secret(env: Env, name: string): string | undefined {
  const file = env[`${name}_FILE`]?.trim();
  if (file) {
    try {
      return readFileSync(file, "utf8").trim() || undefined;
    } catch (cause) {
      throw new ConfigError(`${name}_FILE`, `cannot read "${file}": ${(cause as Error).message}`);
    }
  }
  return env[name]?.trim() || undefined;
}

export interface SimulatorSettings {
  /** Delay before the first token, unless a request says otherwise. */
  ttftMs: number;
  /** Pacing of the tokens after the first. */
  tokensPerSecond: number;
  /** Longest answer, unless a request asks for fewer. */
  maxTokens: number;
}

export interface Config {
  port: number;
  host: string;
  /** Undefined: the built-in simulator serves as the `demo` model, in-process. */
  upstreamBaseUrl: string | undefined;
  upstreamApiKey: string | undefined;
  model: string;
  heartbeatMs: number;
  retryMs: number;
  cancelGraceMs: number;
  streamRetentionMs: number;
  firstTokenTimeoutMs: number;
  interTokenTimeoutMs: number;
  maxBodyBytes: number;
  maxActiveGenerations: number;
  maxOpenStreams: number;
  maxGenerationEvents: number;
  maxGenerationBytes: number;
  retainedBytesMax: number;
  checkpointMs: number;
  drainTimeoutMs: number;
  dataDir: string;
  storeMaxBytes: number;
  simulator: SimulatorSettings;
}

export function loadSimulatorSettings(env: Env): SimulatorSettings {
  return {
    ttftMs: integer(env, "SIM_TTFT_MS", 200, 0, 600_000),
    tokensPerSecond: integer(env, "SIM_TOKENS_PER_SECOND", 30, 1, 100_000),
    maxTokens: integer(env, "SIM_MAX_TOKENS", 64, 1, 1_000_000),
  };
}

/** Reads and validates every setting; throws {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: Env): Config {
  const upstreamBaseUrl = url(env, "UPSTREAM_BASE_URL");
  const model = env.MODEL?.trim() || (upstreamBaseUrl ? undefined : "demo");
  if (!model) throw new ConfigError("MODEL", "required when UPSTREAM_BASE_URL is set (e.g. gpt-4o-mini, llama3.2)");
  return {
    port: integer(env, "PORT", 3000, 0, 65_535),
    host: text(env, "HOST", "0.0.0.0"),
    upstreamBaseUrl,
    upstreamApiKey: secret(env, "UPSTREAM_API_KEY") ?? secret(env, "OPENAI_API_KEY"),
    model,
    // Below every proxy idle timeout (nginx proxy_read_timeout, load balancers' 60 s).
    heartbeatMs: integer(env, "HEARTBEAT_MS", 15_000, 100, 3_600_000),
    // The reconnection delay EventSource uses after a drop (the `retry:` field).
    retryMs: integer(env, "RETRY_MS", 1_000, 0, 3_600_000),
    cancelGraceMs: integer(env, "CANCEL_GRACE_MS", 5_000, 0, 3_600_000),
    streamRetentionMs: integer(env, "STREAM_RETENTION_MS", 300_000, 0, 86_400_000),
    firstTokenTimeoutMs: integer(env, "UPSTREAM_FIRST_TOKEN_TIMEOUT_MS", 60_000, 1, 3_600_000),
    interTokenTimeoutMs: integer(env, "UPSTREAM_INTER_TOKEN_TIMEOUT_MS", 60_000, 1, 3_600_000),
    // nginx's client_max_body_size in deploy/ matches this default.
    maxBodyBytes: integer(env, "MAX_BODY_BYTES", 1_048_576, 1_024, 1_073_741_824),
    maxActiveGenerations: integer(env, "MAX_ACTIVE_GENERATIONS", 5_000, 1, 1_000_000),
    // The replay log of one generation; past it the answer ends with finish_reason "length".
    // Event-stream connections of every kind (/api/streams, /chat, /v1): each holds a socket and a viewer.
    maxOpenStreams: integer(env, "MAX_OPEN_STREAMS", 20_000, 1, 10_000_000),
    maxGenerationEvents: integer(env, "MAX_GENERATION_EVENTS", 100_000, 10, 10_000_000),
    // The replay log of one generation in UTF-8 bytes; past it the answer ends with finish_reason "length".
    maxGenerationBytes: integer(env, "MAX_GENERATION_BYTES", 4_194_304, 1_024, 1_073_741_824),
    // Every retained generation together (running and finished); the oldest finished go first.
    retainedBytesMax: integer(env, "RETAINED_BYTES_MAX", 268_435_456, 65_536, 68_719_476_736),
    // How often a running answer's text is stored, so a crash loses at most this much of it.
    checkpointMs: integer(env, "CHECKPOINT_MS", 1_000, 50, 60_000),
    drainTimeoutMs: integer(env, "DRAIN_TIMEOUT_MS", 10_000, 0, 3_600_000),
    dataDir: text(env, "DATA_DIR", "./data"),
    // A cap on the database file (0: none): past it writes fail as a full disk would, with store_full.
    storeMaxBytes: integer(env, "STORE_MAX_BYTES", 0, 0, Number.MAX_SAFE_INTEGER),
    simulator: loadSimulatorSettings(env),
  };
}

/** The settings in effect, for the start-up log, with secrets masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  const { upstreamApiKey, simulator, ...rest } = config;
  return {
    ...rest,
    upstreamBaseUrl: config.upstreamBaseUrl ?? "(built-in simulator)",
    upstreamApiKey: upstreamApiKey ? `${upstreamApiKey.slice(0, 3)}…(masked)` : "(none)",
    ...(config.upstreamBaseUrl ? {} : { simulator }),
  };
}

/** The standalone simulator's settings (`npm run simulator`). */
export function loadSimulatorServerConfig(env: Env): { port: number; host: string; simulator: SimulatorSettings } {
  return {
    port: integer(env, "SIM_PORT", 3001, 0, 65_535),
    host: text(env, "SIM_HOST", "0.0.0.0"),
    simulator: loadSimulatorSettings(env),
  };
}
