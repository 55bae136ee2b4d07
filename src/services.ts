/**
 * The shared parts of one Sluice process, built once from the configuration: the generation
 * registry, the metrics and the model client. app.ts hands each route only the parts it uses.
 */
import type OpenAI from "openai";
import type { Cluster, SharedParts } from "./cluster/cluster.ts";
import type { Config } from "./config.ts";
import { AnswerCheckpoints } from "./conversations/checkpoints.ts";
import type { ConversationStore } from "./conversations/store.ts";
import type { Generation } from "./generation/generation.ts";
import { GenerationRegistry } from "./generation/registry.ts";
import type { GenerationDirectory } from "./generation/view.ts";
import type { Caller } from "./http/requester.ts";
import { CALL_IMAGE_BYTE_WEIGHT, InflightBytes, imageBytes } from "./limits/inflight-bytes.ts";
import { localLimiter, type UserLimiter, UserLimits } from "./limits/user-limits.ts";
import { LocalUserStreams, type UserStreamLimiter } from "./limits/user-streams.ts";
import { createMetrics, type Metrics } from "./metrics/metrics.ts";
import type { Simulator } from "./simulator/server.ts";
import { newStreamId } from "./stream-id.ts";
import { type ChatRequest, streamChat } from "./upstream/chat-stream.ts";
import { createUpstreamClient } from "./upstream/client.ts";
import type { TokenTimeouts } from "./upstream/timeouts.ts";

export interface StartOptions {
  /** Runs to its end whoever watches (see generation/cancel-policy.ts). */
  background?: boolean;
  /** The stream id, when the caller recorded it before starting (conversations/record.ts). */
  id?: string;
}

export interface Services {
  config: Config;
  registry: GenerationRegistry;
  /** Finds a generation by id: this instance's, or (with REDIS_URL) another's. */
  generations: GenerationDirectory;
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
  /** Open streams per user (on every instance, with REDIS_URL). */
  userStreams: UserStreamLimiter;
  /** Bytes of bodies and images in flight, all requests together (INFLIGHT_BYTES_MAX). */
  inflight: InflightBytes;
  /**
   * Throws what starting a generation for the caller would throw now (429, 503), before anything
   * is stored; given the request it would make, also when its images do not fit the in-flight budget.
   */
  admitGeneration(caller: Caller, request?: ChatRequest): Promise<void>;
  /** Starts one model call as a generation owned by the caller, within their limits. */
  startGeneration(request: ChatRequest, caller: Caller, options?: StartOptions): Promise<Generation>;
}

/**
 * What one model call holds until it ends: its images (the whole context's) in the in-flight
 * budget, and one of the caller's running answers; both or neither, given back by one release.
 */
async function takeShares(
  inflight: InflightBytes,
  userLimits: UserLimiter,
  request: ChatRequest,
  caller: Caller,
): Promise<() => void> {
  const images = inflight.open();
  images.add(imageBytes(request.messages) * CALL_IMAGE_BYTE_WEIGHT);
  try {
    const releaseUser = await userLimits.acquire(caller.limitKey);
    return () => {
      releaseUser();
      images.release();
    };
  } catch (error) {
    images.release();
    throw error;
  }
}

/** Wires the registry, metrics and upstream client from the configuration. */
export function createServices(
  config: Config,
  parts: { simulator?: Simulator | undefined; conversations?: ConversationStore | undefined; cluster?: Cluster } = {},
): Services {
  const simulator = config.upstreamBaseUrl ? undefined : parts.simulator;
  const metrics = createMetrics();
  const registry = new GenerationRegistry({
    maxActive: config.maxActiveGenerations,
    retentionMs: config.streamRetentionMs,
    retainedBytesMax: config.retainedBytesMax,
    rejected: metrics.rejected,
  });
  metrics.retainedBytesFrom(() => registry.retainedBytes);
  const upstream = createUpstreamClient({
    baseUrl: config.upstreamBaseUrl ?? "http://simulator.internal/v1",
    apiKey: config.upstreamApiKey,
    ...(simulator ? { fetch: (request: Request) => simulator.handle(request) } : {}),
  });
  const shared: SharedParts | undefined = parts.cluster?.bind(registry, metrics.rejected);
  if (shared) metrics.clusterFrom(() => ({ followed: shared.generations.remoteCount, mirrored: shared.mirror.size }));
  const userLimits = shared?.limiter ?? localLimiter(new UserLimits(config.userLimits, metrics.rejected));
  const inflight = new InflightBytes(config.inflightBytesMax, metrics.rejected);
  const timeouts = { firstTokenMs: config.firstTokenTimeoutMs, interTokenMs: config.interTokenTimeoutMs };
  return {
    config,
    registry,
    generations: shared?.generations ?? { find: async (id, owner) => registry.find(id, owner) },
    metrics,
    upstream,
    timeouts,
    simulator,
    conversations: parts.conversations,
    checkpoints: parts.conversations && new AnswerCheckpoints(parts.conversations, config.checkpointMs),
    userLimits,
    userStreams: shared?.streams ?? new LocalUserStreams(config.userLimits.openStreams, metrics.rejected),
    inflight,
    async admitGeneration(caller, request) {
      registry.admit();
      inflight.admit(request ? imageBytes(request.messages) * CALL_IMAGE_BYTE_WEIGHT : 0);
      await userLimits.admit(caller.limitKey);
    },
    async startGeneration(request, caller, options = {}) {
      registry.admit();
      const release = await takeShares(inflight, userLimits, request, caller);
      const id = options.id ?? newStreamId();
      let generation: Generation;
      try {
        await shared?.mirror.announce(id, caller.user, request.model);
        generation = registry.create({
          id,
          owner: caller.user,
          model: request.model,
          upstream: (signal, id) => streamChat(upstream, request, { signal, requestId: id }),
          timeouts,
          cancelGraceMs: config.cancelGraceMs,
          background: options.background ?? false,
          maxEvents: config.maxGenerationEvents,
          maxBytes: config.maxGenerationBytes,
          observer: metrics.observer,
        });
      } catch (error) {
        release();
        throw error;
      }
      void generation.settled.finally(release);
      shared?.mirror.mirror(generation);
      return generation;
    },
  };
}
