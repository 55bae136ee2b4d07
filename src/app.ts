/**
 * Composes the feature plugins into the HTTP app, handing each route only what it uses, and puts
 * the edge (access, path and Host rules) in front of it. `server.ts` builds it from the services
 * it opened; tests run that whole server as a process, or mount one route's plugin alone and call
 * it with `app.handle` where no socket is needed.
 */
import { existsSync } from "node:fs";
import { Elysia } from "elysia";
import type { UsageAdmin } from "./admin/admin-data.ts";
import { ALL_APP_DEFENCES, type Defences } from "./app-defences.ts";
import { type Access, LOOPBACK_HOSTS } from "./auth/access.ts";
import { clientAddresses } from "./auth/client-address.ts";
import { SignInThrottle } from "./auth/sign-in-throttle.ts";
import { readJsonBody } from "./http/body.ts";
import { readChatBody } from "./http/chat-body.ts";
import { compressLargeJson } from "./http/compression.ts";
import { passEdge } from "./http/edge.ts";
import { errorResponse, handleError } from "./http/error-response.ts";
import { healthRoutes } from "./http/health.ts";
import { metricsRoutes } from "./http/metrics.ts";
import { publicFiles } from "./http/public-files.ts";
import { rejectRepeatedParams } from "./http/query-params.ts";
import { holdReservation, reservationOf } from "./http/request-reservations.ts";
import { sessionRoutes } from "./http/session.ts";
import { sharePublicPrefixes } from "./http/shares.ts";
import { logError } from "./log.ts";
import {
  accessRoutes,
  askingRoutes,
  openAiCompatibleRoutes,
  storedConversationRoutes,
  streamAndUiChatRoutes,
} from "./route-groups.ts";
import type { FetchHandler } from "./runtime.ts";
import type { Services } from "./services.ts";
import { streamParts } from "./stream-parts.ts";
import { alwaysReachable, UpstreamProbe } from "./upstream/probe.ts";

export interface AppOptions {
  /** Folder of the browser UI; omitted in tests that need no UI. */
  publicDir?: string;
  /** All on unless a negative control of the attacker suite turns one off. */
  defences?: Partial<Defences>;
  /** Token usage and budgets for the admin page; absent: the server's own token accounting, if it keeps one. */
  usage?: UsageAdmin;
}

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
  app.use(accessRoutes(services, access, options.usage, { publicDir, adminOnly: defences.adminOnly }));
  if (conversations) app.use(storedConversationRoutes(services, conversations, parts.policy, publicDir));
  if (publicDir) app.use(await publicFiles(publicDir, { fixedSet: defences.fixedFileSet }));
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
