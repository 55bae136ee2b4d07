/**
 * Composes the feature plugins into the HTTP app, handing each route only what it uses, and puts
 * the edge (access, path and Host rules) in front of it. `server.ts` builds it from the services
 * it opened; tests run that whole server as a process, or mount one route's plugin alone and call
 * it with `app.handle` where no socket is needed.
 */
import { existsSync } from "node:fs";
import { Elysia } from "elysia";
import type { Access } from "./auth/access.ts";
import type { ConversationStore } from "./conversations/store.ts";
import { readJsonBody } from "./http/body.ts";
import { chatRoutes } from "./http/chat.ts";
import { readChatBody } from "./http/chat-body.ts";
import { chatSettingsRoutes } from "./http/chat-settings.ts";
import { classicRoutes } from "./http/classic.ts";
import { conversationRoutes } from "./http/conversations.ts";
import { ALL_DEFENCES, type EdgeDefences, passEdge } from "./http/edge.ts";
import { handleError } from "./http/error-response.ts";
import { eventStreams } from "./http/event-stream.ts";
import { exportRoutes } from "./http/export.ts";
import { healthRoutes } from "./http/health.ts";
import { imageRoutes } from "./http/images.ts";
import { messageRoutes } from "./http/messages.ts";
import { metricsRoutes } from "./http/metrics.ts";
import type { ModelPolicy } from "./http/model-policy.ts";
import { openAiRoutes } from "./http/openai.ts";
import { publicFiles } from "./http/public-files.ts";
import { rejectRepeatedParams } from "./http/query-params.ts";
import { sessionRoutes } from "./http/session.ts";
import { StreamSlots } from "./http/stream-slots.ts";
import { streamRoutes } from "./http/streams.ts";
import type { FetchHandler } from "./runtime.ts";
import type { Services } from "./services.ts";
import { alwaysReachable, UpstreamProbe } from "./upstream/probe.ts";

export interface AppOptions {
  /** Folder of the browser UI; omitted in tests that need no UI. */
  publicDir?: string;
  /** All on unless a negative control of the attacker suite turns one off. */
  defences?: Partial<Defences>;
}

export interface Defences extends EdgeDefences {
  /** Serve a fixed set of files, read at start, rather than whatever path a request names. */
  fixedFileSet: boolean;
  /** A question's generation is admitted, its slots held, before the question is stored. */
  reservedStart: boolean;
  /** Store calls take turns by user, each user with a bounded queue (conversations/fair-store.ts). */
  storeFairness: boolean;
  /** What a user types reaches PostgreSQL's text search only as quoted lexemes (conversations/postgres-search.ts). */
  searchQuoting: boolean;
}

/** The whole public HTTP surface of Sluice (behind the edge: see {@link createHandler}). */
export async function createApp(services: Services, access: Access, options: AppOptions = {}) {
  const { config, registry, metrics, conversations, checkpoints, startGeneration } = services;
  const policy = { models: config.models, maxOutputTokens: config.maxOutputTokens };
  const publicDir = options.publicDir && existsSync(options.publicDir) ? options.publicDir : undefined;
  const slots = new StreamSlots(config.maxOpenStreams, metrics.rejected);
  // Takes an open-stream slot (429 when none is free) and counts the stream in the metrics.
  const streamOpened = () => {
    const release = slots.acquire();
    const closed = metrics.streamOpened();
    return () => {
      release();
      closed();
    };
  };
  const openEventStream = eventStreams({ heartbeatMs: config.heartbeatMs, retryMs: config.retryMs, streamOpened });
  const upstreamLabel = services.simulator ? "simulator" : "upstream";
  const tools = { available: services.toolbox !== undefined, defaultOn: config.tools.defaultOn };
  const upstreamHealth = services.simulator ? alwaysReachable : new UpstreamProbe(services.upstream);
  const app = new Elysia()
    // Only a question may carry images: only /api/chat takes a larger body, and only for them.
    .onParse({ as: "global" }, ({ request }) =>
      new URL(request.url).pathname === "/api/chat"
        ? readChatBody(request, config.maxBodyBytes, config.images)
        : readJsonBody(request, config.maxBodyBytes),
    )
    .onTransform({ as: "global" }, ({ request }) => rejectRepeatedParams(request))
    .onError({ as: "global" }, handleError)
    .use(healthRoutes({ registry, model: config.model, upstream: upstreamLabel, upstreamHealth }))
    .use(sessionRoutes({ access, publicUrl: config.publicUrl, publicDir }))
    .use(chatSettingsRoutes({ systemPrompt: config.systemPrompt, images: config.images, tools }))
    .use(
      chatRoutes({
        startGeneration,
        // Off only for the attacker suite's negative control: limits checked once the question is stored.
        reserveGeneration: options.defences?.reservedStart === false ? undefined : services.reserveGeneration,
        conversations,
        checkpoints,
        policy,
        context: { systemPrompt: config.systemPrompt, maxContextTokens: config.maxContextTokens },
        continuation: config.continuation,
        images: config.images,
        tools,
      }),
    )
    .use(streamRoutes({ generations: services.generations, openEventStream }))
    .use(
      classicRoutes({
        generations: services.generations,
        startGeneration,
        openEventStream,
        policy,
        admitStream: () => slots.check(),
      }),
    )
    .use(
      openAiRoutes({
        upstream: services.upstream,
        timeouts: services.timeouts,
        observer: metrics.passThrough,
        streamOpened,
        policy,
        userLimits: services.userLimits,
        acquireCall: () => registry.acquireCall(),
      }),
    );
  if (conversations) app.use(storedConversationRoutes(conversations, policy));
  if (publicDir) app.use(await publicFiles(publicDir, { fixedSet: options.defences?.fixedFileSet ?? true }));
  return app;
}

/** Every route over stored conversations: the conversations, their messages, exports and images. */
function storedConversationRoutes(store: ConversationStore, policy: ModelPolicy) {
  return new Elysia()
    .use(conversationRoutes(store, policy))
    .use(messageRoutes(store))
    .use(exportRoutes(store))
    .use(imageRoutes(store));
}

/** The public listener's handler: the edge, then the app. */
export async function createHandler(
  services: Services,
  access: Access,
  options: AppOptions = {},
): Promise<FetchHandler> {
  const app = await createApp(services, access, options);
  const defences = { ...ALL_DEFENCES, ...options.defences };
  const { allowedHosts, corsOrigins } = services.config;
  const edge = { access, allowedHosts, corsOrigins, defences };
  return async (original, clientAddress) => {
    const passed = passEdge(original, clientAddress, edge);
    if ("refuse" in passed) return passed.refuse;
    const response = await app.handle(passed.request);
    if (passed.cors) for (const [name, value] of Object.entries(passed.cors)) response.headers.set(name, value);
    return response;
  };
}

/**
 * The internal listener's handler (METRICS_PORT, loopback by default): Prometheus metrics, and the
 * embedded simulator (`/sim/…`, its statistics included) when there is one. Never the public port.
 */
export function createInternalHandler(services: Services): FetchHandler {
  const metrics = new Elysia().onError(handleError).use(metricsRoutes(services.metrics.registry));
  const simulator = services.simulator;
  return (request) => (simulator && isSimulatorPath(request.url) ? simulator.handle(request) : metrics.handle(request));
}

function isSimulatorPath(url: string): boolean {
  // The path starts at the first "/" after "scheme://host".
  const path = url.indexOf("/", url.indexOf("//") + 2);
  return path !== -1 && url.startsWith("/sim/", path);
}
