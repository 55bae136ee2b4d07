/**
 * Sluice's built-in model: an OpenAI-compatible server with deterministic answers, realistic
 * pacing and faults on request. It runs standalone (`main.ts`) or in-process inside the app,
 * mounted under `/sim`; either way it is one fetch-style handler.
 */
import type { SimulatorSettings } from "../settings/simulator.ts";
import { completionResponse } from "./completion.ts";
import { openAIErrorResponse, SimulatorRequestError } from "./errors.ts";
import { statusFaultResponse } from "./faults.ts";
import { DEFAULT_MODEL, parseChatRequest } from "./request.ts";
import { createScript } from "./script.ts";
import { SimulatorCounters, type SimulatorStats } from "./stats.ts";
import { streamResponse } from "./stream.ts";
import { RequestTracker } from "./tracker.ts";

export type { SimulatorStats } from "./stats.ts";

export interface Simulator {
  /** Handles a request; routes on the pathname with an optional leading "/sim" removed:
   *  POST /v1/chat/completions, GET /v1/models, GET /stats (so /sim/stats works both standalone and mounted). */
  handle(request: Request): Promise<Response>;
  stats(): SimulatorStats;
}

/** A fixed date (2024-01-01) keeps `GET /v1/models` byte-identical across restarts. */
const MODEL_CREATED = 1_704_067_200;
const MODEL = { id: DEFAULT_MODEL, object: "model", created: MODEL_CREATED, owned_by: "sluice" };

/** The `hang` fault: no byte at all; the promise settles only when the client gives up. */
function hang(tracker: RequestTracker): Promise<Response> {
  return new Promise((resolve) => tracker.whenGone(() => resolve(new Response(null, { status: 499 }))));
}

async function chatCompletions(request: Request, settings: SimulatorSettings, counters: SimulatorCounters) {
  let body: unknown;
  try {
    body = await request.json();
  } catch (cause) {
    throw new SimulatorRequestError("the request body is not valid JSON", null, 400, null, { cause });
  }
  const requestId = request.headers.get("x-request-id") || crypto.randomUUID();
  const chat = parseChatRequest(body);
  const script = createScript(chat, settings, requestId);
  // As older OpenAI-compatible servers answer an option they do not know.
  if (script.usage === "reject" && chat.hasStreamOptions)
    return openAIErrorResponse(400, "Unrecognized request argument supplied: stream_options", "stream_options");
  const tracker = new RequestTracker(counters, requestId, request.signal);
  if (script.fault?.kind === "status") {
    tracker.finish("failed");
    return statusFaultResponse(script.fault.status, requestId);
  }
  if (script.fault?.kind === "hang") return hang(tracker);
  const sendsUsage = script.usage !== "omit";
  return chat.stream
    ? streamResponse(script, tracker, chat.includeUsage && sendsUsage)
    : completionResponse(script, tracker, sendsUsage);
}

function route(
  request: Request,
  settings: SimulatorSettings,
  counters: SimulatorCounters,
): Response | Promise<Response> {
  const path = new URL(request.url).pathname.replace(/^\/sim(?=\/)/, "");
  const method = request.method;
  if (path === "/v1/chat/completions" && method === "POST") return chatCompletions(request, settings, counters);
  if (path === "/v1/models" && method === "GET") return Response.json({ object: "list", data: [MODEL] });
  if (path === `/v1/models/${DEFAULT_MODEL}` && method === "GET") return Response.json(MODEL);
  if (path === "/stats" && method === "GET") return Response.json(counters.snapshot());
  if ((path === "/stats/reset" && method === "POST") || (path === "/stats" && method === "DELETE")) {
    counters.reset();
    return Response.json(counters.snapshot());
  }
  return openAIErrorResponse(404, `Unknown route: ${method} ${path}`, null, "unknown_url");
}

/** A simulator with its own counters; `settings` are the defaults a `/sim` line may override. */
export function createSimulator(settings: SimulatorSettings): Simulator {
  const counters = new SimulatorCounters();
  return {
    async handle(request) {
      try {
        return await route(request, settings, counters);
      } catch (error) {
        if (error instanceof SimulatorRequestError) {
          return openAIErrorResponse(error.status, error.message, error.param, error.code);
        }
        throw error;
      }
    },
    stats: () => counters.snapshot(),
  };
}
