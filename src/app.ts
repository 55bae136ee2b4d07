/**
 * Composes the feature plugins into the HTTP app. Tests build it with their own services.
 */
import { existsSync } from "node:fs";
import { Elysia } from "elysia";
import { conversationRoutes } from "./conversations/routes.ts";
import { errorResponse, NotFoundError, SluiceError } from "./errors.ts";
import { readJsonBody } from "./http/body.ts";
import { chatRoutes } from "./http/chat.ts";
import { classicRoutes } from "./http/classic.ts";
import { healthRoutes } from "./http/health.ts";
import { metricsRoutes } from "./http/metrics.ts";
import { openAiRoutes } from "./http/openai.ts";
import { publicFiles } from "./http/public-files.ts";
import { streamRoutes } from "./http/streams.ts";
import { toValidationError } from "./http/validation.ts";
import type { Services } from "./services.ts";

export interface AppOptions {
  /** Folder of the browser UI; omitted in tests that need no UI. */
  publicDir?: string;
}

/** The whole HTTP surface of Sluice. */
export function createApp(services: Services, options: AppOptions = {}) {
  const app = new Elysia()
    .onParse({ as: "global" }, ({ request }) => readJsonBody(request, services.config.maxBodyBytes))
    .onError({ as: "global" }, ({ code, error }) => {
      if (error instanceof SluiceError) return errorResponse(error);
      // Elysia wraps what a parse hook throws (413, 415, malformed JSON) in its ParseError.
      if (code === "PARSE" && error.cause instanceof SluiceError) return errorResponse(error.cause);
      if (code === "VALIDATION") return errorResponse(toValidationError(error as never));
      if (code === "NOT_FOUND") return errorResponse(new NotFoundError("route"));
      if (code === "PARSE")
        return errorResponse(new SluiceError("invalid_request", "unreadable body", 400, { field: "body" }));
      console.error(JSON.stringify({ level: "error", msg: "unhandled", error: String(error) }));
      return errorResponse(error);
    })
    .use(healthRoutes(services))
    .use(metricsRoutes(services))
    .use(chatRoutes(services))
    .use(streamRoutes(services))
    .use(classicRoutes(services))
    .use(openAiRoutes(services));
  if (services.conversations) app.use(conversationRoutes(services.conversations));
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
