/**
 * The shared parts of one Sluice process, built once from the configuration: the generation
 * registry, the metrics, the model client and the PDF reader. app.ts hands each route only the
 * parts it uses.
 */
import type OpenAI from "openai";
import type { Cluster, SharedParts } from "./cluster/cluster.ts";
import type { Config } from "./config.ts";
import { AnswerCheckpoints } from "./conversations/checkpoints.ts";
import { fairStore } from "./conversations/fair-store.ts";
import { quotaStore } from "./conversations/quotas.ts";
import type { ConversationStore } from "./conversations/store.ts";
import { createPdfReader, type PdfReader } from "./documents/pdf-reader.ts";
import type { Generation } from "./generation/generation.ts";
import { GenerationRegistry } from "./generation/registry.ts";
import { localRunning, type RunningGenerations } from "./generation/running.ts";
import type { GenerationDirectory } from "./generation/view.ts";
import { generationReserver } from "./generation-reserver.ts";
import type { GenerationReservation, StartOptions } from "./http/chat.ts";
import type { Caller } from "./http/requester.ts";
import { collectionThreshold, InflightBytes } from "./limits/inflight-bytes.ts";
import { localLimiter, type UserLimiter, UserLimits } from "./limits/user-limits.ts";
import { LocalUserStreams, type UserStreamLimiter } from "./limits/user-streams.ts";
import { memoryCollector } from "./memory-collector.ts";
import { createMetrics, type Metrics } from "./metrics/metrics.ts";
import type { Simulator } from "./simulator/server.ts";
import { Toolbox } from "./tools/toolbox.ts";
import type { ChatRequest } from "./upstream/chat-stream.ts";
import { createUpstreamClient } from "./upstream/client.ts";
import type { TokenTimeouts } from "./upstream/timeouts.ts";
import { IncludeUsagePolicy } from "./upstream/usage-request.ts";
import { TokenAccounting } from "./usage/accounting.ts";
import { YoungGarbagePacer } from "./young-garbage.ts";

export interface Services {
  config: Config;
  registry: GenerationRegistry;
  /** Finds a generation by id: this instance's, or (with REDIS_URL) another's. */
  generations: GenerationDirectory;
  /** The generations running now: this instance's, or (with REDIS_URL) every instance's. */
  running: RunningGenerations;
  metrics: Metrics;
  upstream: OpenAI;
  timeouts: TokenTimeouts;
  /** The in-process simulator when no upstream is configured. */
  simulator: Simulator | undefined;
  /** Stored conversations; absent in tests that need none. */
  conversations: ConversationStore | undefined;
  /** Stores running answers' text every CHECKPOINT_MS; present with `conversations`. */
  checkpoints: AnswerCheckpoints | undefined;
  /** Per-user limits, shared by generations and `/v1` calls (and by every instance, with REDIS_URL). */
  userLimits: UserLimiter;
  /** The operator's MCP servers (MCP_SERVERS_FILE); absent when none are declared. */
  toolbox: Toolbox | undefined;
  /** Open streams per user (on every instance, with REDIS_URL). */
  userStreams: UserStreamLimiter;
  /** Memory of bodies and of running calls' images, all requests together (INFLIGHT_BYTES_MAX). */
  inflight: InflightBytes;
  /** Whether model calls ask for their usage (UPSTREAM_INCLUDE_USAGE), and which models refused. */
  includeUsage: IncludeUsagePolicy;
  /**
   * Tokens by user, day and model, and the budgets (usage/accounting.ts): every model call is
   * admitted and counted here. Absent only without a store (tests of one route).
   */
  accounting: TokenAccounting | undefined;
  /** Reads the text of PDFs sent with questions, in a worker thread of its own (started on the first). */
  pdfReader: PdfReader;
  /**
   * Admits a generation for the caller and holds its slots, throwing what starting it would throw
   * now (429, 503): what is done before it starts (storing the question) is never followed by a
   * refusal from a limit.
   */
  reserveGeneration(caller: Caller): Promise<GenerationReservation>;
  /** Starts one model call as a generation owned by the caller, within their limits. */
  startGeneration(request: ChatRequest, caller: Caller, options?: StartOptions): Promise<Generation>;
}

/** Wires the registry, metrics and upstream client from the configuration. */
export function createServices(
  config: Config,
  parts: {
    simulator?: Simulator | undefined;
    conversations?: ConversationStore | undefined;
    cluster?: Cluster;
    /** False only for the attacker suite's negative control: store calls in arrival order (fair-store.ts). */
    fairStore?: boolean;
  } = {},
): Services {
  const simulator = config.upstreamBaseUrl ? undefined : parts.simulator;
  const metrics = createMetrics();
  const registry = generationRegistry(config, metrics);
  const upstream = createUpstreamClient({
    baseUrl: config.upstreamBaseUrl ?? "http://simulator.internal/v1",
    apiKey: config.upstreamApiKey,
    transport: config.upstreamTransport,
    ...(simulator ? { fetch: (request: Request) => simulator.handle(request) } : {}),
  });
  const shared: SharedParts | undefined = parts.cluster?.bind(registry, metrics.rejected);
  if (shared) metrics.clusterFrom(() => ({ followed: shared.generations.remoteCount, mirrored: shared.mirror.size }));
  const userLimits = shared?.limiter ?? localLimiter(new UserLimits(config.userLimits, metrics.rejected));
  const timeouts = { firstTokenMs: config.firstTokenTimeoutMs, interTokenMs: config.interTokenTimeoutMs };
  const inflight = inflightBudget(config, metrics);
  const conversations =
    parts.conversations && shareStore(parts.conversations, config, metrics.rejected, parts.fairStore);
  const includeUsage = new IncludeUsagePolicy(config.includeUsage);
  const accounting = conversations && new TokenAccounting(conversations, config.tokenBudgets);

  const { tools } = config;
  const toolbox =
    tools.servers.length > 0 ? new Toolbox(tools.servers, { ...tools, observe: metrics.toolCall }) : undefined;
  const reserveGeneration = generationReserver({
    config,
    registry,
    userLimits,
    inflight,
    shared,
    upstream,
    timeouts,
    metrics,
    includeUsage,
    accounting,
    toolbox,
  });
  return {
    config,
    registry,
    generations: shared?.generations ?? { find: async (id, owner) => registry.find(id, owner) },
    running: shared?.running ?? localRunning(registry, config.instanceId),
    metrics,
    upstream,
    timeouts,
    simulator,
    conversations,
    checkpoints: conversations && new AnswerCheckpoints(conversations, config.checkpointMs),
    userLimits,
    toolbox,
    userStreams: shared?.streams ?? new LocalUserStreams(config.userLimits.openStreams, metrics.rejected),
    inflight,
    includeUsage,
    accounting,
    pdfReader: pdfReaderFor(config),
    reserveGeneration,
    async startGeneration(request, caller, options = {}) {
      return (await reserveGeneration(caller)).start(request, options);
    },
  };
}

/** The registry, its gauges, and the pace of young collections its running answers set (young-garbage.ts). */
function generationRegistry(config: Config, metrics: Metrics): GenerationRegistry {
  const youngGarbage = new YoungGarbagePacer(() => registry.activeCount);
  const registry: GenerationRegistry = new GenerationRegistry({
    maxActive: config.maxActiveGenerations,
    retentionMs: config.streamRetentionMs,
    retainedBytesMax: config.retainedBytesMax,
    rejected: metrics.rejected,
    started: () => youngGarbage.answerStarted(),
  });
  metrics.retainedBytesFrom(() => registry.retainedBytes);
  metrics.youngCollectionsFrom(() => youngGarbage.runs);
  return registry;
}

/** The in-flight budget (INFLIGHT_BYTES_MAX), its releases making the collector run, and its gauges. */
function inflightBudget(config: Config, metrics: Metrics): InflightBytes {
  memoryCollector.threshold = collectionThreshold(config.inflightBytesMax);
  const inflight = new InflightBytes(config.inflightBytesMax, metrics.rejected, memoryCollector);
  metrics.inflightBytesFrom(() => inflight.used);
  metrics.memoryCollectionsFrom(() => memoryCollector.runs);
  return inflight;
}

// PDFs waiting to be read, all users together: past it a question with one is asked to retry.
const PDF_QUEUE = 32;

/** The PDF reader of questions' documents: its worker starts with the first PDF. */
function pdfReaderFor(config: Config): PdfReader {
  return createPdfReader({
    timeoutMs: config.documents.readTimeoutMs,
    // Some users' questions at once; each user one question's PDFs at a time.
    maxQueued: PDF_QUEUE,
    maxPerUser: Math.max(1, config.documents.maxCount),
  });
}

/**
 * The store as users share it: calls take turns by user (SQLite's worker runs one at a time,
 * PostgreSQL as many as its pool holds), and new conversations and questions keep to the quotas.
 */
function shareStore(
  store: ConversationStore,
  config: Config,
  rejected: (reason: string) => void,
  fair = true,
): ConversationStore {
  const shares = config.storeShares;
  const concurrency = config.databaseUrl ? config.databasePoolSize : 1;
  const queued = fairStore(store, {
    concurrency,
    perUser: shares.concurrentPerUser,
    queuedPerUser: shares.queuedPerUser,
    fair,
    rejected,
  });
  return quotaStore(queued, { conversations: shares.quotaConversations, bytes: shares.quotaBytes });
}
