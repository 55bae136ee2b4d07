/**
 * The one reader of the environment. Every setting is parsed and validated once, with a
 * default; a bad value stops start-up with a message naming the variable. Groups of settings
 * with a type of their own (attachments, tools, storage, the model's API…) are read by their
 * loaders in settings/; this file puts them together.
 */
import { hostname } from "node:os";
import { type AuthSettings, describeAuth, loadAuthSettings } from "./auth-settings.ts";
import { ConfigError, type Env, flag, integer, list, origins, secret, text, url } from "./env-values.ts";
import {
  type DocumentLimits,
  type ImageLimits,
  loadDocumentLimits,
  loadImageSettings,
} from "./settings/attachments.ts";
import { type ContinueSettings, loadContinueSettings } from "./settings/continuation.ts";
import { loadModelApis, type ModelApiSettings } from "./settings/model-api.ts";
import { loadSimulatorSettings, type SimulatorSettings } from "./settings/simulator.ts";
import { databaseUrl, loadStoreShares, redisUrl, type StoreShareSettings } from "./settings/storage.ts";
import { loadToolSettings, type ToolSettings } from "./settings/tools.ts";
import { loadUsageAndSharing, type UsageAndSharingSettings } from "./settings/usage-and-sharing.ts";

export type { AuthMode, AuthSettings, OidcSettings } from "./auth-settings.ts";
export { ConfigError };

/** Every setting; the model API's and usage's come from settings/ with their loaders. */
export interface Config extends ModelApiSettings, UsageAndSharingSettings {
  port: number;
  host: string;
  /** Where people reach Sluice (the printed sign-in URL, Secure cookies, the OIDC redirect URL), e.g. https://chat.example.com. */
  publicUrl: string | undefined;
  auth: AuthSettings;
  /** Host header values accepted (DNS-rebinding protection); empty: any, or loopback names under AUTH=none. */
  allowedHosts: string[];
  /** CIDRs of the proxies in front (nginx) whose X-Forwarded-For names the client. */
  forwardedProxies: string[];
  /** Failed sign-ins (and wrong bearer tokens) per client address, and per named user, in a rolling minute. */
  signInFailuresPerMinute: number;
  /** Exact origins allowed to call the API from other sites (CORS); empty: none. */
  corsOrigins: string[];
  /** The separate listener for /metrics and the simulator's statistics; never the public port. */
  metricsPort: number;
  metricsHost: string;
  /** Models clients may ask for; the first is the default. */
  models: string[];
  /** The most tokens one answer may ask for (`max_tokens`). */
  maxOutputTokens: number;
  /** Sent first in every conversation, when set. */
  systemPrompt: string | undefined;
  /** The model's window, in estimated tokens: older turns of a conversation are left out past it. */
  maxContextTokens: number;
  /** How Continue asks the model to go on with a cut-off answer. */
  continuation: ContinueSettings;
  /** Images a question may carry (vision models), their size each, and how many a context sends again. */
  images: ImageLimits;
  /** Documents a question may carry (PDF, text), their size and text each, and how a context sends them again. */
  documents: DocumentLimits;
  /** Per user (or per address under AUTH=none): generations at once, started per minute, open streams. */
  userLimits: { concurrent: number; perMinute: number; openStreams: number };
  /** `/v1` may pass remote URLs and non-image content parts (file, input_audio…) to the model. */
  v1AllowAnyContent: boolean;
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
  /** The longest a request body may take to arrive, from its first read. */
  bodyTimeoutMs: number;
  /** Memory of request bodies and of images on their way to the model, all requests together. */
  inflightBytesMax: number;
  maxActiveGenerations: number;
  maxOpenStreams: number;
  maxGenerationEvents: number;
  maxGenerationBytes: number;
  retainedBytesMax: number;
  checkpointMs: number;
  drainTimeoutMs: number;
  dataDir: string;
  storeMaxBytes: number;
  /** Conversations in PostgreSQL when set (postgres://user:password@host/db); unset: SQLite in DATA_DIR. */
  databaseUrl: string | undefined;
  /**
   * Generations shared with every instance through Redis when set (redis://[:password@]host:6379);
   * unset: each instance keeps its own, in memory.
   */
  redisUrl: string | undefined;
  /** This instance's name among the others (defaults to the host name and the process id). */
  instanceId: string;
  /** Connections each instance keeps to PostgreSQL. */
  databasePoolSize: number;
  storeShares: StoreShareSettings;
  /** MCP tools the model may call in conversations. */
  tools: ToolSettings;
  simulator: SimulatorSettings;
}

/** Reads and validates every setting; throws {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: Env): Config {
  const upstreamBaseUrl = url(env, "UPSTREAM_BASE_URL");
  const model = env.MODEL?.trim() || (upstreamBaseUrl ? undefined : "demo");
  if (!model) throw new ConfigError("MODEL", "required when UPSTREAM_BASE_URL is set (e.g. gpt-4o-mini, llama3.2)");
  const publicUrl = url(env, "PUBLIC_URL");
  return {
    port: integer(env, "PORT", 3000, 0, 65_535),
    host: text(env, "HOST", "0.0.0.0"),
    publicUrl,
    auth: loadAuthSettings(env, publicUrl),
    allowedHosts: list(env, "ALLOWED_HOSTS").map((host) => host.toLowerCase()),
    // nginx on this machine (the native stack) is a proxy; a container network must be listed.
    forwardedProxies: list(env, "FORWARDED_PROXIES", ["127.0.0.0/8", "::1"]),
    // A person mistypes a few times; a guesser makes thousands of tries a minute.
    signInFailuresPerMinute: integer(env, "SIGN_IN_FAILURES_PER_MINUTE", 10, 1, 100_000),
    corsOrigins: origins(env, "CORS_ORIGINS"),
    // 9464: the port Prometheus exporters conventionally use; loopback unless told otherwise.
    metricsPort: integer(env, "METRICS_PORT", 9464, 0, 65_535),
    metricsHost: text(env, "METRICS_HOST", "127.0.0.1"),
    models: [model, ...list(env, "MODELS").filter((name) => name !== model)],
    maxOutputTokens: integer(env, "MAX_OUTPUT_TOKENS", 4_096, 1, 1_000_000),
    systemPrompt: env.SYSTEM_PROMPT?.trim() || undefined,
    maxContextTokens: integer(env, "MAX_CONTEXT_TOKENS", 8_192, 256, 10_000_000),
    continuation: loadContinueSettings(env),
    images: loadImageSettings(env),
    documents: loadDocumentLimits(env),
    userLimits: {
      concurrent: integer(env, "LIMIT_USER_CONCURRENT", 3, 1, 1_000_000),
      perMinute: integer(env, "LIMIT_USER_PER_MINUTE", 20, 1, 100_000_000),
      // A few tabs, each watching its running answers, and some /v1 streams; never every slot.
      openStreams: integer(env, "LIMIT_USER_OPEN_STREAMS", 32, 1, 10_000_000),
    },
    // Off: a remote URL in a content part has the model's server fetch what a user names (SSRF).
    v1AllowAnyContent: flag(env, "V1_ALLOW_ANY_CONTENT", false),
    upstreamBaseUrl,
    upstreamApiKey: secret(env, "UPSTREAM_API_KEY") ?? secret(env, "OPENAI_API_KEY"),
    ...loadModelApis(env),
    ...loadUsageAndSharing(env),
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
    // A question with the most images (~28 MiB) needs ~4 Mbit/s to arrive within it.
    bodyTimeoutMs: integer(env, "BODY_TIMEOUT_MS", 60_000, 100, 3_600_000),
    // Counted as memory (limits/inflight-bytes.ts): one question with the most images and carried
    // ones (~340 MiB) at a time, or a dozen with one image each.
    inflightBytesMax: integer(env, "INFLIGHT_BYTES_MAX", 536_870_912, 1_048_576, 68_719_476_736),
    maxActiveGenerations: integer(env, "MAX_ACTIVE_GENERATIONS", 5_000, 1, 1_000_000),
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
    databaseUrl: databaseUrl(env),
    databasePoolSize: integer(env, "DATABASE_POOL_SIZE", 10, 1, 1_000),
    storeShares: loadStoreShares(env),
    tools: loadToolSettings(env),
    redisUrl: redisUrl(env),
    instanceId: text(env, "INSTANCE_ID", `${hostname()}-${process.pid}`),
    simulator: loadSimulatorSettings(env),
  };
}

/** The settings in effect, for the start-up log, with secrets masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  const { upstreamApiKey, simulator, auth, databaseUrl, redisUrl, tools, ...rest } = config;
  return {
    ...rest,
    tools: {
      ...tools,
      // Header values may be credentials: only their names are shown.
      servers: tools.servers.map((server) => ({ ...server, headers: Object.keys(server.headers) })),
    },
    databaseUrl: databaseUrl ? "(masked)" : "(none: SQLite in DATA_DIR)",
    redisUrl: redisUrl ? "(masked)" : "(none: generations stay in this instance)",
    auth: describeAuth(auth),
    upstreamBaseUrl: config.upstreamBaseUrl ?? "(built-in simulator)",
    upstreamApiKey: upstreamApiKey ? `${upstreamApiKey.slice(0, 3)}…(masked)` : "(none)",
    ...(config.upstreamBaseUrl ? {} : { simulator }),
  };
}
