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
  const simulator = services.simulator;
  if (simulator) app.mount("/sim", (request) => simulator.handle(request));
  if (options.publicDir && existsSync(options.publicDir)) app.use(publicFiles(options.publicDir));
  return app;
}
