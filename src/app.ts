/**
 * Composes the feature plugins into the HTTP app, handing each route only what it uses, and puts
 * the edge (access, path and Host rules) in front of it. `server.ts` builds it from the services
 * it opened; tests run that whole server as a process, or mount one route's plugin alone and call
 * it with `app.handle` where no socket is needed.
 */
import { existsSync } from "node:fs";
import { Elysia } from "elysia";
import { createAdmin } from "./admin/admin.ts";
import type { UsageAdmin } from "./admin/admin-data.ts";
import { usageAdminOf } from "./admin/token-accounting.ts";
import { type Access, LOOPBACK_HOSTS } from "./auth/access.ts";
import { clientAddresses } from "./auth/client-address.ts";
import { SignInThrottle } from "./auth/sign-in-throttle.ts";
import type { ConversationStore } from "./conversations/store.ts";
import { adminRoutes } from "./http/admin.ts";
import { readJsonBody } from "./http/body.ts";
import { chatRoutes } from "./http/chat.ts";
import { readChatBody } from "./http/chat-body.ts";
import { chatSettingsRoutes } from "./http/chat-settings.ts";
import { classicRoutes } from "./http/classic.ts";
import { compressLargeJson } from "./http/compression.ts";
import { conversationRoutes } from "./http/conversations.ts";
import { documentRoutes } from "./http/documents.ts";
import { ALL_DEFENCES, type EdgeDefences, passEdge } from "./http/edge.ts";
import { errorResponse, handleError } from "./http/error-response.ts";
import { eventStreams } from "./http/event-stream.ts";
import { exportRoutes } from "./http/export.ts";
import { healthRoutes } from "./http/health.ts";
import { imageRoutes } from "./http/images.ts";
import { messageRoutes } from "./http/messages.ts";
import { metricsRoutes } from "./http/metrics.ts";
import type { ModelPolicy } from "./http/model-policy.ts";
import { oidcRoutes } from "./http/oidc.ts";
import { openAiRoutes } from "./http/openai.ts";
import { publicFiles } from "./http/public-files.ts";
import { rejectRepeatedParams } from "./http/query-params.ts";
import { holdReservation, reservationOf } from "./http/request-reservations.ts";
import { responsesRoutes } from "./http/responses.ts";
import { sessionRoutes } from "./http/session.ts";
import { sharePublicPrefixes, shareRoutes } from "./http/shares.ts";
import { StreamSlots } from "./http/stream-slots.ts";
import { streamRoutes } from "./http/streams.ts";
import { answerUiChat, uiChatRoutes } from "./http/ui-chat.ts";
import { usageRoutes } from "./http/usage.ts";
import { unlimitedUserStreams } from "./limits/user-streams.ts";
import { logError } from "./log.ts";
import type { FetchHandler } from "./runtime.ts";
import type { Services } from "./services.ts";
import { alwaysReachable, UpstreamProbe } from "./upstream/probe.ts";

export interface AppOptions {
  /** Folder of the browser UI; omitted in tests that need no UI. */
  publicDir?: string;
  /** All on unless a negative control of the attacker suite turns one off. */
  defences?: Partial<Defences>;
  /** Token usage and budgets for the admin page; absent: the server's own token accounting, if it keeps one. */
  usage?: UsageAdmin;
}

export interface Defences extends EdgeDefences {
  /** Serve a fixed set of files, read at start, rather than whatever path a request names. */
  fixedFileSet: boolean;
  /** Under AUTH=none, answer only loopback Host names unless ALLOWED_HOSTS lists others. */
  loopbackHosts: boolean;
  /** Count each user's open streams against LIMIT_USER_OPEN_STREAMS. */
  userStreams: boolean;
  /** Count bodies and images in flight against INFLIGHT_BYTES_MAX. */
  inflightBytes: boolean;
  /** Give a body BODY_TIMEOUT_MS to arrive. */
  bodyDeadline: boolean;
  /** A sign-in never replaces another signed-in user without `replace: true`. */
  sessionReplace: boolean;
  /** `/v1` caps every spelling of the token limit and passes only text and data: image parts. */
  passThroughPolicy: boolean;
  /** Refuse tokens with too few different characters at start. */
  tokenStrength: boolean;
  /** Verify session cookies as the exact text they were issued as. */
  strictSessions: boolean;
  /** DATA_DIR owner-only, the database files too. */
  privateFiles: boolean;
  /** A question's generation is admitted, its slots held, before the question is stored. */
  reservedStart: boolean;
  /** Store calls take turns by user, each user with a bounded queue (conversations/fair-store.ts). */
  storeFairness: boolean;
  /** What a user types reaches PostgreSQL's text search only as quoted lexemes (conversations/postgres-search.ts). */
  searchQuoting: boolean;
}

/** Every defence on: production. */
export const ALL_APP_DEFENCES: Defences = {
  ...ALL_DEFENCES,
  fixedFileSet: true,
  loopbackHosts: true,
  userStreams: true,
  inflightBytes: true,
  bodyDeadline: true,
  sessionReplace: true,
  passThroughPolicy: true,
  tokenStrength: true,
  strictSessions: true,
  privateFiles: true,
  reservedStart: true,
  storeFairness: true,
  searchQuoting: true,
};

/** Routes whose body is tiny: a sign-in is a token, and anyone may send one. */
const SMALL_BODY_ROUTES = new Set(["/api/session"]);
const SMALL_BODY_BYTES = 8_192;

/** The body parser of every route: its size limit, its deadline, its share of the in-flight budget. */
function bodyParser(config: Services["config"], defences: Defences) {
  return ({ request }: { request: Request }) => {
    const path = new URL(request.url).pathname;
    const arrival = {
      timeoutMs: defences.bodyDeadline ? config.bodyTimeoutMs : undefined,
      reservation: reservationOf(request),
    };
    // Only a question may carry images and documents: only /api/chat takes a larger body, and only for them.
    if (path === "/api/chat")
      return readChatBody(
        request,
        config.maxBodyBytes,
        { images: config.images, documents: config.documents },
        arrival,
      );
    return readJsonBody(request, SMALL_BODY_ROUTES.has(path) ? SMALL_BODY_BYTES : config.maxBodyBytes, arrival);
  };
}

/** Takes an open-stream slot (429 when none is free, for anyone or for this user) and counts it in the metrics. */
function streamSlots(services: Services, defences: Defences) {
  const { config, metrics } = services;
  const perUser = defences.userStreams ? services.userStreams : unlimitedUserStreams;
  const slots = new StreamSlots(config.maxOpenStreams, perUser, metrics.rejected);
  const streamOpened = async (limitKey: string | undefined) => {
    const release = await slots.acquire(limitKey);
    const closed = metrics.streamOpened();
    return () => {
      release();
      closed();
    };
  };
  return { slots, streamOpened };
}

/** What the routes that stream share: the model policy, the open-stream slots, a turn's settings. */
function streamParts(services: Services, defences: Defences) {
  const { config, checkpoints } = services;
  const { slots, streamOpened } = streamSlots(services, defences);
  return {
    policy: { models: config.models, maxOutputTokens: config.maxOutputTokens },
    streamOpened,
    admitStream: (limitKey: string | undefined) => slots.admit(limitKey),
    tools: { available: services.toolbox !== undefined, defaultOn: config.tools.defaultOn },
    openEventStream: eventStreams({ heartbeatMs: config.heartbeatMs, retryMs: config.retryMs, streamOpened }),
    // What a conversation's turn needs besides its store, for every route that starts one.
    turn: {
      context: { systemPrompt: config.systemPrompt, maxContextTokens: config.maxContextTokens },
      contextMaxImages: config.images.contextMaxImages,
      // Documents a conversation holds (sent from the page) go on with a dialect's turns as with the page's.
      documents: {
        maxDocuments: config.documents.contextMaxDocuments,
        sharePercent: config.documents.contextSharePercent,
      },
      continuation: config.continuation,
      checkpoints,
    },
  };
}

type StreamParts = ReturnType<typeof streamParts>;

/** The dialects' chat over a conversation store: the AI SDK's (absent without a store). */
function uiChatDeps(services: Services, parts: StreamParts) {
  const { conversations, generations } = services;
  return (
    conversations && { ...parts, store: conversations, generations, reserveGeneration: services.reserveGeneration }
  );
}

/** Sluice's stream routes, the classic one, and the AI SDK's chat resume, Stop and messages. */
function streamAndUiChatRoutes(services: Services, parts: StreamParts) {
  const { startGeneration, generations } = services;
  const { policy, openEventStream, admitStream } = parts;
  const uiChat = uiChatDeps(services, parts);
  return new Elysia()
    .use(streamRoutes({ generations, openEventStream }))
    .use(classicRoutes({ generations, startGeneration, openEventStream, policy, admitStream }))
    .use(uiChat ? uiChatRoutes(uiChat) : new Elysia());
}

/** The OpenAI-compatible routes: chat completions (a pass-through) and the Responses API (generations). */
function openAiCompatibleRoutes(services: Services, parts: StreamParts, defences: Defences) {
  const { config } = services;
  return new Elysia()
    .use(passThroughRoutes(services, defences, parts.policy, parts.streamOpened))
    .use(responsesRoutes({ ...services, ...parts, images: config.images, modelApi: config.responsesUpstream }));
}

/** `/v1`: the OpenAI-compatible pass-through, under the same limits, budgets and accounting as answers. */
function passThroughRoutes(
  services: Services,
  defences: Defences,
  policy: ModelPolicy,
  streamOpened: (limitKey: string | undefined) => Promise<() => void>,
) {
  const { config, registry } = services;
  return openAiRoutes({
    upstream: services.upstream,
    timeouts: services.timeouts,
    observer: services.metrics.passThrough,
    streamOpened,
    policy: {
      ...policy,
      anyContent: config.v1AllowAnyContent || !defences.passThroughPolicy,
      firstLimitSpellingOnly: !defences.passThroughPolicy,
    },
    userLimits: services.userLimits,
    acquireCall: () => registry.acquireCall(),
    includeUsage: services.includeUsage,
    accounting: services.accounting,
  });
}

/** Asking: what the page learns before it asks (its caps, the tools), and `POST /api/chat` (the AI SDK's body too). */
function askingRoutes(services: Services, parts: StreamParts, defences: Defences) {
  const { config } = services;
  const { policy, tools } = parts;
  const { systemPrompt, images } = config;
  const share = services.conversations ? config.share : "off";
  const uiChat = uiChatDeps(services, parts);
  return new Elysia().use(chatSettingsRoutes({ systemPrompt, images, documents: config.documents, tools, share })).use(
    chatRoutes({
      startGeneration: services.startGeneration,
      // Off only for the attacker suite's negative control: limits checked once the question is stored.
      reserveGeneration: defences.reservedStart ? services.reserveGeneration : undefined,
      conversations: services.conversations,
      checkpoints: services.checkpoints,
      policy,
      context: parts.turn.context,
      continuation: config.continuation,
      images,
      documents: { limits: config.documents, reader: services.pdfReader },
      tools,
      answerUiChat: uiChat && answerUiChat(uiChat),
    }),
  );
}

/** The whole public HTTP surface of Sluice (behind the edge: see {@link createHandler}). */
export async function createApp(
  services: Services,
  access: Access,
  options: AppOptions = {},
  throttle = new SignInThrottle(services.config.signInFailuresPerMinute, services.metrics.rejected),
) {
  const { config, registry, conversations } = services;
  const defences = { ...ALL_APP_DEFENCES, ...options.defences };
  const parts = streamParts(services, defences);
  const publicDir = options.publicDir && existsSync(options.publicDir) ? options.publicDir : undefined;
  const upstreamLabel = services.simulator ? "simulator" : "upstream";
  const upstreamHealth = services.simulator ? alwaysReachable : new UpstreamProbe(services.upstream);
  const sessions = {
    access,
    publicUrl: config.publicUrl,
    publicDir,
    throttle: defences.signInThrottle ? throttle : undefined,
  };
  const app = new Elysia()
    .onParse({ as: "global" }, bodyParser(config, defences))
    .onTransform({ as: "global" }, ({ request }) => rejectRepeatedParams(request))
    .onError({ as: "global" }, handleError)
    .use(healthRoutes({ registry, model: config.model, upstream: upstreamLabel, upstreamHealth }))
    .use(sessionRoutes({ ...sessions, replaceGuard: defences.sessionReplace }))
    .use(askingRoutes(services, parts, defences))
    .use(streamAndUiChatRoutes(services, parts))
    .use(openAiCompatibleRoutes(services, parts, defences));
  app.use(accessRoutes(services, access, options, { publicDir, adminOnly: defences.adminOnly }));
  if (conversations) app.use(storedConversationRoutes(services, conversations, parts.policy, publicDir));
  if (publicDir) app.use(await publicFiles(publicDir, { fixedSet: defences.fixedFileSet }));
  return app;
}

/**
 * Single sign-on's routes (AUTH=oidc), and the admin page and API (with a store): what admins see
 * and do, over the store's activity and audit log, sign-outs, running generations, usage and budgets.
 */
function accessRoutes(
  services: Services,
  access: Access,
  options: AppOptions,
  admin: { publicDir: string | undefined; adminOnly: boolean },
) {
  const app = new Elysia();
  if (access.oidc) app.use(oidcRoutes({ access, oidc: access.oidc, publicUrl: services.config.publicUrl }));
  const store = services.conversations;
  if (!store) return app;
  const usage = options.usage ?? (services.accounting ? usageAdminOf(services.accounting) : {});
  const { running, generations } = services;
  const parts = { store, sessions: access.sessions, running, generations, usage };
  return app.use(adminRoutes({ admin: createAdmin(parts), ...admin }));
}

/**
 * Every route over stored conversations: the conversations, their messages, exports, images and
 * documents, token usage, and share links (unless SHARE=off).
 */
function storedConversationRoutes(
  services: Services,
  store: ConversationStore,
  policy: ModelPolicy,
  publicDir: string | undefined,
) {
  const app = new Elysia()
    .use(conversationRoutes(store, policy))
    .use(messageRoutes(store))
    .use(exportRoutes(store))
    .use(imageRoutes(store))
    .use(documentRoutes(store));
  if (services.accounting) app.use(usageRoutes(store, services.accounting));
  const mode = services.config.share;
  if (mode !== "off") app.use(shareRoutes({ store, mode, publicDir }));
  return app;
}

/** The Host names answered: ALLOWED_HOSTS, else under AUTH=none only this machine's (DNS rebinding). */
function allowedHostsFor(configured: readonly string[], access: Access, defences: Defences): readonly string[] {
  if (configured.length > 0 || access.mode !== "none" || !defences.loopbackHosts) return configured;
  return LOOPBACK_HOSTS;
}

/** The public listener's handler: the edge, then the app. */
export async function createHandler(
  services: Services,
  access: Access,
  options: AppOptions = {},
): Promise<FetchHandler> {
  const { config, metrics } = services;
  const defences = { ...ALL_APP_DEFENCES, ...options.defences };
  const throttle = new SignInThrottle(config.signInFailuresPerMinute, metrics.rejected);
  const app = await createApp(services, access, options, throttle);
  const edge = {
    access,
    allowedHosts: allowedHostsFor(config.allowedHosts, access, defences),
    corsOrigins: config.corsOrigins,
    clientAddressOf: clientAddresses(config.forwardedProxies),
    throttle,
    defences,
    publicPrefixes: services.conversations ? sharePublicPrefixes(config.share) : [],
  };
  return async (original, peer) => {
    const reservation = services.inflight.open();
    try {
      const passed = passEdge(original, peer, edge);
      if ("refuse" in passed) return passed.refuse;
      if (defences.inflightBytes) holdReservation(passed.request, reservation);
      const response = await app.handle(passed.request);
      if (passed.cors) for (const [name, value] of Object.entries(passed.cors)) response.headers.set(name, value);
      return await compressLargeJson(passed.request, response);
    } catch (error) {
      // A fault of ours, never a client's: one line, and a 500 that tells the client nothing.
      logError("request failed", { method: original.method, error });
      return errorResponse(error);
    } finally {
      reservation.release();
    }
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
