/**
 * Composes the feature plugins into the HTTP app, handing each route only what it uses. Tests
 * build it with their own services.
 */
import { existsSync } from "node:fs";
import { Elysia } from "elysia";
import { readJsonBody } from "./http/body.ts";
import { chatRoutes } from "./http/chat.ts";
import { classicRoutes } from "./http/classic.ts";
import { conversationRoutes } from "./http/conversations.ts";
import { handleError } from "./http/error-response.ts";
import { eventStreams } from "./http/event-stream.ts";
import { healthRoutes } from "./http/health.ts";
import { metricsRoutes } from "./http/metrics.ts";
import { openAiRoutes } from "./http/openai.ts";
import { publicFiles } from "./http/public-files.ts";
import { rejectRepeatedParams } from "./http/query-params.ts";
import { StreamSlots } from "./http/stream-slots.ts";
import { streamRoutes } from "./http/streams.ts";
import type { Services } from "./services.ts";

export interface AppOptions {
  /** Folder of the browser UI; omitted in tests that need no UI. */
  publicDir?: string;
}

/** The whole HTTP surface of Sluice. */
export function createApp(services: Services, options: AppOptions = {}) {
  const { config, registry, metrics, conversations, checkpoints, startGeneration } = services;
  const defaultModel = config.model;
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
  const admitStream = () => slots.check();
  const admitGeneration = () => registry.admit();
  const openEventStream = eventStreams({ heartbeatMs: config.heartbeatMs, retryMs: config.retryMs, streamOpened });
  const app = new Elysia()
    .onParse({ as: "global" }, ({ request }) => readJsonBody(request, config.maxBodyBytes))
    .onTransform({ as: "global" }, ({ request }) => rejectRepeatedParams(request))
    .onError({ as: "global" }, handleError)
    .use(
      healthRoutes({
        registry,
        model: defaultModel,
        upstream: services.simulator ? "simulator" : String(config.upstreamBaseUrl),
      }),
    )
    .use(metricsRoutes(metrics.registry))
    .use(chatRoutes({ startGeneration, admitGeneration, conversations, checkpoints, defaultModel }))
    .use(streamRoutes({ registry, openEventStream }))
    .use(classicRoutes({ registry, startGeneration, openEventStream, defaultModel, admitStream }))
    .use(
      openAiRoutes({
        upstream: services.upstream,
        timeouts: services.timeouts,
        observer: metrics.passThrough,
        streamOpened,
        acquireCall: () => registry.acquireCall(),
        defaultModel,
      }),
    );
  if (conversations) app.use(conversationRoutes(conversations));
  if (options.publicDir && existsSync(options.publicDir)) app.use(publicFiles(options.publicDir));
  return app;
}

/**
 * The server's fetch handler: the app, with the embedded simulator (when there is one) in front
 * of it at `/sim/`. The simulator is its own server, so it bypasses the app's routing, body
 * parsing and static files.
 */
export function createHandler(services: Services, options: AppOptions = {}): (request: Request) => Promise<Response> {
  const app = createApp(services, options);
  const simulator = services.simulator;
  return (request) => (simulator && isSimulatorPath(request.url) ? simulator.handle(request) : app.handle(request));
}

function isSimulatorPath(url: string): boolean {
  // The path starts at the first "/" after "scheme://host".
  const path = url.indexOf("/", url.indexOf("//") + 2);
  return path !== -1 && url.startsWith("/sim/", path);
}
