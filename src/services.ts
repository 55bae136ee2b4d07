/**
 * The services the HTTP routes share. Built once by main.ts; tests build it with their own settings.
 */
import type OpenAI from "openai";
import type { Config } from "./config.ts";
import type { ConversationStore } from "./conversations/store.ts";
import type { Generation } from "./generation/generation.ts";
import { GenerationRegistry } from "./generation/registry.ts";
import { createMetrics, type Metrics } from "./metrics/metrics.ts";
import type { Simulator } from "./simulator/server.ts";
import { type ChatRequest, createUpstreamClient, streamChat } from "./upstream/client.ts";

export interface Services {
  config: Config;
  registry: GenerationRegistry;
  metrics: Metrics;
  upstream: OpenAI;
  /** The in-process simulator when no upstream is configured. */
  simulator: Simulator | undefined;
  /** Stored conversations; absent in tests that need none. */
  conversations: ConversationStore | undefined;
  /** Starts one model call as a generation. */
  startGeneration(request: ChatRequest): Generation;
}

// A generation nobody ever subscribes to (the client vanished between POST and GET) is cancelled
// after this long, instead of running to its end unwatched.
const CLAIM_TIMEOUT_MS = 30_000;

/** Wires the registry, metrics and upstream client from the configuration. */
export function createServices(
  config: Config,
  parts: { simulator?: Simulator | undefined; conversations?: ConversationStore | undefined } = {},
): Services {
  const { simulator, conversations } = parts;
  const metrics = createMetrics();
  const registry = new GenerationRegistry({
    maxActive: config.maxActiveGenerations,
    retentionMs: config.streamRetentionMs,
  });
  const upstream = createUpstreamClient({
    baseUrl: config.upstreamBaseUrl ?? "http://simulator.internal/v1",
    apiKey: config.upstreamApiKey,
    timeoutMs: config.firstTokenTimeoutMs,
    ...(simulator && !config.upstreamBaseUrl ? { fetch: (request: Request) => simulator.handle(request) } : {}),
  });
  return {
    config,
    registry,
    metrics,
    upstream,
    simulator: config.upstreamBaseUrl ? undefined : simulator,
    conversations,
    startGeneration(request) {
      return registry.create({
        model: request.model,
        upstream: (signal, id) => streamChat(upstream, request, { signal, requestId: id }),
        firstTokenTimeoutMs: config.firstTokenTimeoutMs,
        interTokenTimeoutMs: config.interTokenTimeoutMs,
        cancelGraceMs: config.cancelGraceMs,
        claimTimeoutMs: Math.max(config.cancelGraceMs, CLAIM_TIMEOUT_MS),
        maxEvents: config.maxGenerationEvents,
        observer: metrics.observer,
      });
    },
  };
}
