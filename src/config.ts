/**
 * The one reader of the environment. Every setting is parsed and validated once, with a
 * default; a bad value stops start-up with a message naming the variable.
 */
import { hostname } from "node:os";
import { type AuthSettings, describeAuth, loadAuthSettings } from "./auth-settings.ts";
import { ConfigError, choice, type Env, flag, integer, list, origins, secret, text, url } from "./env-values.ts";
import { loadMcpServers, type McpServerSettings } from "./mcp-servers-file.ts";

export type { AuthMode, AuthSettings, OidcSettings } from "./auth-settings.ts";
export { ConfigError };

export interface SimulatorSettings {
  /** Delay before the first token, unless a request says otherwise. */
  ttftMs: number;
  /** Pacing of the tokens after the first. */
  tokensPerSecond: number;
  /** Longest answer, unless a request asks for fewer. */
  maxTokens: number;
  /** The user message that asks for the rest of the answer before it (CONTINUE_INSTRUCTION, as Sluice sends it; default DEFAULT_CONTINUE_INSTRUCTION). */
  continueInstruction?: string;
}

/** How Continue asks the model for the rest of an answer (conversations/continuation.ts). */
export const CONTINUE_MODES = ["instruction", "prefill"] as const;

export interface ContinueSettings {
  /** `instruction`: the partial answer, then a user message asking to go on; `prefill`: the partial answer last. */
  mode: (typeof CONTINUE_MODES)[number];
  /** That user message. */
  instruction: string;
}

/** Short, and understood by any chat model; the simulator recognises it (src/simulator/script.ts). */
export const DEFAULT_CONTINUE_INSTRUCTION =
  "Continue your last answer exactly where it stopped, without repeating any of it.";

/** How `/v1/responses` reaches the model: its chat completions, or its own Responses API (passed through). */
export const RESPONSES_UPSTREAMS = ["chat", "responses"] as const;
export type ResponsesUpstream = (typeof RESPONSES_UPSTREAMS)[number];

/** Whether a model is asked for its usage (upstream/usage-request.ts): always, never, or unless it refuses. */
export const INCLUDE_USAGE_MODES = ["auto", "on", "off"] as const;
export type IncludeUsageMode = (typeof INCLUDE_USAGE_MODES)[number];

/** Who may open a share link: nobody (sharing off), signed-in users, or anyone who has it. */
export const SHARE_MODES = ["off", "signed-in", "public"] as const;
export type ShareMode = (typeof SHARE_MODES)[number];
export interface Config {
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
  /**
   * How the model is reached: over plain sockets read on the JS thread (upstream/socket-fetch.ts),
   * or through the runtime's fetch (UPSTREAM_TRANSPORT=fetch, and always when HTTP_PROXY or
   * HTTPS_PROXY is set, since fetch honours them).
   */
  upstreamTransport: "socket" | "fetch";
  /** How `/v1/responses` calls the model: `chat` (translated to chat completions) or `responses` (its own Responses API). */
  responsesUpstream: ResponsesUpstream;
  /** Whether streamed calls ask the model for its usage (UPSTREAM_INCLUDE_USAGE). */
  includeUsage: IncludeUsageMode;
  /** Tokens one user may spend per UTC day and month (0: no budget); an admin may set a user's own. */
  tokenBudgets: { perDay: number; perMonth: number };
  /** Who may open a share link (SHARE). */
  share: ShareMode;
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

/** The operator's MCP servers and how a tool-calling answer runs (src/tools/). */
export interface ToolSettings {
  /** From MCP_SERVERS_FILE; none: no conversation is offered tools. */
  servers: McpServerSettings[];
  /** Rounds of tool calls one answer may make (MAX_TOOL_STEPS); the model then answers in words. */
  maxSteps: number;
  /** One tool call's limit (TOOL_TIMEOUT_MS); past it the call is cancelled and reported. */
  timeoutMs: number;
  /** Whether a conversation that has not chosen gets tools (TOOLS_DEFAULT). */
  defaultOn: boolean;
  /** A tool's result is cut to this many UTF-8 bytes for the model, the stream and the store (TOOL_RESULT_MAX_BYTES). */
  resultMaxBytes: number;
}

/** Each user's share of the conversation store: its work, and what they may keep in it. */
export interface StoreShareSettings {
  /** Store calls one user may have waiting (STORE_USER_QUEUE); past it, 429 store_busy. */
  queuedPerUser: number;
  /** PostgreSQL connections one user's calls may hold at once (STORE_USER_CONCURRENT); SQLite runs one call at a time. */
  concurrentPerUser: number;
  /** A search running longer is stopped with 429 search_timeout (SEARCH_TIMEOUT_MS). */
  searchTimeoutMs: number;
  /** Conversations one user may keep (QUOTA_USER_CONVERSATIONS); 0: no quota. */
  quotaConversations: number;
  /** UTF-8 bytes of text and images one user may store (QUOTA_USER_BYTES); 0: no quota. */
  quotaBytes: number;
}

export interface ImageLimits {
  /** Images one question may carry (IMAGE_MAX_COUNT); 0: none. */
  maxCount: number;
  /** Bytes of one image, decoded (IMAGE_MAX_BYTES). */
  maxBytes: number;
  /** Images a conversation's context sends again, newest first (CONTEXT_MAX_IMAGES). */
  contextMaxImages: number;
}

export interface DocumentLimits {
  /** Documents one question may carry (DOCUMENT_MAX_COUNT); 0: none. */
  maxCount: number;
  /** Bytes of one document's file, decoded (DOCUMENT_MAX_BYTES). */
  maxBytes: number;
  /** Characters of one document's text, once read (DOCUMENT_MAX_CHARS). */
  maxChars: number;
  /** The longest reading one PDF may take (DOCUMENT_READ_TIMEOUT_MS). */
  readTimeoutMs: number;
  /** Documents a conversation's context sends again, newest first (CONTEXT_MAX_DOCUMENTS). */
  contextMaxDocuments: number;
  /** The percent of MAX_CONTEXT_TOKENS a context's documents may take together (CONTEXT_DOCUMENT_SHARE). */
  contextSharePercent: number;
}

/** What documents may be sent, and how much of them the model is sent (conversations/context-documents.ts). */
function loadDocumentLimits(env: Env): DocumentLimits {
  return {
    // 0 turns documents off. A few files per question is what people attach in other chat servers.
    maxCount: integer(env, "DOCUMENT_MAX_COUNT", 4, 0, 32),
    // 8 MiB: a long report or a book as PDF; with four of them a question stays near 45 MB of JSON.
    maxBytes: integer(env, "DOCUMENT_MAX_BYTES", 8_388_608, 1_024, 104_857_600),
    // 1 million characters (some 250,000 tokens, a 400-page book): more than any window sends.
    maxChars: integer(env, "DOCUMENT_MAX_CHARS", 1_000_000, 1_000, 50_000_000),
    // A large PDF reads in a few seconds; one that takes far longer is a trap, not a document.
    readTimeoutMs: integer(env, "DOCUMENT_READ_TIMEOUT_MS", 20_000, 100, 600_000),
    // Every carried document is sent again with each later turn, within its share of the window.
    contextMaxDocuments: integer(env, "CONTEXT_MAX_DOCUMENTS", 8, 0, 256),
    // Half the window: the rest is for the instructions, the question and the turns before it.
    contextSharePercent: integer(env, "CONTEXT_DOCUMENT_SHARE", 50, 1, 100),
  };
}

export function loadSimulatorSettings(env: Env): SimulatorSettings {
  return {
    ttftMs: integer(env, "SIM_TTFT_MS", 200, 0, 600_000),
    tokensPerSecond: integer(env, "SIM_TOKENS_PER_SECOND", 30, 1, 100_000),
    maxTokens: integer(env, "SIM_MAX_TOKENS", 64, 1, 1_000_000),
    continueInstruction: text(env, "CONTINUE_INSTRUCTION", DEFAULT_CONTINUE_INSTRUCTION),
  };
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
    // `instruction` works with every OpenAI-compatible server; `prefill` where the server goes on
    // from a final assistant message (llama.cpp, vLLM, Ollama), which reads more seamlessly.
    continuation: {
      mode: choice(env, "CONTINUE_MODE", CONTINUE_MODES) ?? "instruction",
      instruction: text(env, "CONTINUE_INSTRUCTION", DEFAULT_CONTINUE_INSTRUCTION),
    },
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

/** How the model server is reached: the transport, and the API `/v1/responses` calls. */
function loadModelApis(env: Env): Pick<Config, "upstreamTransport" | "responsesUpstream"> {
  return {
    upstreamTransport: upstreamTransport(env),
    // Chat completions are what every OpenAI-compatible server speaks; OpenAI and vLLM speak Responses too.
    responsesUpstream: choice(env, "RESPONSES_UPSTREAM", RESPONSES_UPSTREAMS) ?? "chat",
  };
}

/** Images in questions, and how many a conversation sends again. */
function loadImageSettings(env: Env): Config["images"] {
  return {
    // 0 turns images off. A few per question is what chat models are tuned for.
    maxCount: integer(env, "IMAGE_MAX_COUNT", 4, 0, 32),
    // 5 MiB: below OpenAI's per-image cap (20 MB) and enough for a phone photo or a screenshot.
    maxBytes: integer(env, "IMAGE_MAX_BYTES", 5_242_880, 1_024, 52_428_800),
    // Every image is sent again with each later turn: this bounds the request to the model.
    contextMaxImages: integer(env, "CONTEXT_MAX_IMAGES", 8, 0, 256),
  };
}

/** Usage, budgets and share links (usage/, http/shares.ts). */
function loadUsageAndSharing(env: Env): Pick<Config, "includeUsage" | "tokenBudgets" | "share"> {
  return {
    // auto: asked, unless the model refuses the option (then estimated); older servers answer it with a 400.
    includeUsage: choice(env, "UPSTREAM_INCLUDE_USAGE", INCLUDE_USAGE_MODES) ?? "auto",
    tokenBudgets: {
      // Off by default: the operator decides what a day of a user's work may cost.
      perDay: integer(env, "LIMIT_USER_TOKENS_PER_DAY", 0, 0, Number.MAX_SAFE_INTEGER),
      perMonth: integer(env, "LIMIT_USER_TOKENS_PER_MONTH", 0, 0, Number.MAX_SAFE_INTEGER),
    },
    // signed-in: a link works for colleagues, never for whoever finds it in a log or a forward.
    share: choice(env, "SHARE", SHARE_MODES) ?? "signed-in",
  };
}

/** Each user's share of the conversation store (conversations/fair-store.ts, conversations/quotas.ts). */
function loadStoreShares(env: Env): StoreShareSettings {
  return {
    // A page load makes a few calls and the search box one per pause in typing: 32 waiting is a client in a loop.
    queuedPerUser: integer(env, "STORE_USER_QUEUE", 32, 1, 100_000),
    // With the default pool of 10, five users at once can each use their whole share.
    concurrentPerUser: integer(env, "STORE_USER_CONCURRENT", 2, 1, 1_000),
    // SQLite answers one call at a time: a search holds everyone's next call for at most this long.
    searchTimeoutMs: integer(env, "SEARCH_TIMEOUT_MS", 2_000, 10, 600_000),
    // Some 40 new conversations every working day for a year.
    quotaConversations: integer(env, "QUOTA_USER_CONVERSATIONS", 10_000, 0, 100_000_000),
    // 1 GiB: years of text, or some 200 full-size images (IMAGE_MAX_BYTES) with it.
    quotaBytes: integer(env, "QUOTA_USER_BYTES", 1_073_741_824, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** MCP_SERVERS_FILE and the tool loop's bounds. */
function loadToolSettings(env: Env): ToolSettings {
  return {
    servers: loadMcpServers(env.MCP_SERVERS_FILE?.trim() || undefined),
    // Each step is a model call and a round of tool calls: enough for search, read, answer chains.
    maxSteps: integer(env, "MAX_TOOL_STEPS", 8, 1, 100),
    timeoutMs: integer(env, "TOOL_TIMEOUT_MS", 60_000, 100, 3_600_000),
    defaultOn: (choice(env, "TOOLS_DEFAULT", ["on", "off"] as const) ?? "on") === "on",
    // The model reads every result again with each later step: this bounds what a tool adds to it.
    resultMaxBytes: integer(env, "TOOL_RESULT_MAX_BYTES", 65_536, 256, 16_777_216),
  };
}

/** DATABASE_URL (or the file DATABASE_URL_FILE), which must name a PostgreSQL server. */
function databaseUrl(env: Env): string | undefined {
  const value = secret(env, "DATABASE_URL");
  if (value !== undefined && !/^postgres(ql)?:\/\//.test(value))
    throw new ConfigError("DATABASE_URL", "expected postgres://user:password@host:5432/database");
  return value;
}

/** REDIS_URL (or the file REDIS_URL_FILE), which must name a Redis server. */
function redisUrl(env: Env): string | undefined {
  const value = secret(env, "REDIS_URL");
  if (value !== undefined && !/^rediss?:\/\//.test(value))
    throw new ConfigError("REDIS_URL", "expected redis://[:password@]host:6379[/db]");
  return value;
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

/** The standalone simulator's settings (`npm run simulator`). */
export function loadSimulatorServerConfig(env: Env): { port: number; host: string; simulator: SimulatorSettings } {
  return {
    port: integer(env, "SIM_PORT", 3001, 0, 65_535),
    host: text(env, "SIM_HOST", "0.0.0.0"),
    simulator: loadSimulatorSettings(env),
  };
}

const UPSTREAM_TRANSPORTS = ["socket", "fetch"] as const;

/** UPSTREAM_TRANSPORT (default `socket`); a proxy in the environment needs fetch, which honours it. */
function upstreamTransport(env: Env): "socket" | "fetch" {
  const proxied = ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"].some((name) => Boolean(env[name]));
  const chosen = choice(env, "UPSTREAM_TRANSPORT", UPSTREAM_TRANSPORTS);
  if (proxied && chosen === "socket")
    throw new ConfigError(
      "UPSTREAM_TRANSPORT",
      "socket cannot go through HTTP_PROXY/HTTPS_PROXY; use fetch or unset it",
    );
  return proxied ? "fetch" : (chosen ?? "socket");
}
