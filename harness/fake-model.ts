/**
 * The one fake model: an OpenAI-compatible server on a free port whose answers a test chooses
 * (which tokens, how many, streamed or whole), that records every request body it receives, and
 * that can fail the next call or never answer at all. Its bytes are the simulator's own
 * (src/simulator/chunks.ts), so a test that needs a model the simulator cannot play (a 10 MB
 * token, a recorded request) still speaks exactly the wire format Sluice reads. It also streams
 * `POST /v1/responses`, as a server that speaks the Responses API natively does, in the events
 * Sluice's own Responses dialect writes (src/sse/responses-events.ts).
 */

import type { EndEvent } from "../src/contract.ts";
import { EventLog } from "../src/generation/event-log.ts";
import { ChunkEncoder, chatCompletion, completionId, DONE_CHUNK, usageOf } from "../src/simulator/chunks.ts";
import type { SimulatedCall } from "../src/simulator/tool-turn.ts";
import { responsesDialect } from "../src/sse/responses-dialect.ts";
import { plainRecord } from "../src/sse/responses-events.ts";

export interface FakeModelOptions {
  /** The ids GET /v1/models lists; the first one names the answers (default `fake`). */
  models?: string[];
  /** The answer's content tokens, one chunk each (default `I`, ` see`, `.`). */
  tokens?: string[];
  /** Each chat answer's tokens, chosen from its request and its index among them (default: `tokens`). */
  answer?: (body: Record<string, unknown>, index: number) => string[];
  /** Never answer any request (the connection stays open until the client gives up). */
  silent?: boolean;
  /** Tool calls a streamed answer asks for after its tokens, chosen from its request (default: none). */
  toolCalls?: (body: Record<string, unknown>, index: number) => SimulatedCall[];
}

export interface FakeModel {
  /** The OpenAI base URL, for UPSTREAM_BASE_URL: `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  /** Every chat request body received, in order. */
  received: Record<string, unknown>[];
  /** The path of each of them (`/v1/chat/completions`, `/v1/responses`). */
  paths: string[];
  /** How many requests of any kind arrived (model listings included). */
  requests(): number;
  /** The next chat call is answered 500, as an overloaded provider does. */
  failNext(): void;
  /** Closes the port at once (open connections too). */
  stop(): void;
}

/** The usage every answer reports: a few prompt tokens, one per content token. */
const PROMPT_TOKENS = 9;

function streamed(model: string, tokens: string[], includeUsage: boolean, calls: SimulatedCall[] = []): Response {
  const chunks = new ChunkEncoder(completionId(), 0, model);
  const parts = [chunks.role(), chunks.contents(tokens)];
  if (calls.length > 0) parts.push(chunks.toolCalls(calls).bytes);
  parts.push(chunks.finish(calls.length > 0 ? "tool_calls" : "stop"));
  if (includeUsage) parts.push(chunks.usage(usageOf(PROMPT_TOKENS, tokens.length)));
  parts.push(DONE_CHUNK);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

/** A streamed Responses API answer of `tokens`, in the bytes Sluice's own Responses dialect writes. */
function streamedResponse(model: string, tokens: string[]): Response {
  const record = plainRecord({ id: `resp_${completionId()}`, created_at: Math.floor(Date.now() / 1_000), model });
  const log = new EventLog();
  for (const token of tokens) log.appendToken(token);
  const usage = usageOf(PROMPT_TOKENS, tokens.length);
  const end = { id: tokens.length + 1, type: "done" as const, finish_reason: "stop" as const, usage };
  log.close({ ...end, timings: { ttft_ms: 0, total_ms: 0 } });
  const dialect = responsesDialect(record, log, { after: 0, openingSeen: 0, closingSeen: 0 });
  const deltas = tokens.map((token, index) => dialect.token(index, token)).join("");
  const body = `${dialect.head}${deltas}${dialect.end(log.end as EndEvent)}`;
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

function whole(model: string, tokens: string[]): Response {
  const usage = usageOf(PROMPT_TOKENS, tokens.length);
  return Response.json(chatCompletion(completionId(), 0, model, tokens.join(""), "stop", usage));
}

/** Starts the fake model on a free port of 127.0.0.1. */
export function startFakeModel(options: FakeModelOptions = {}): FakeModel {
  const models = options.models ?? ["fake"];
  const tokens = options.tokens ?? ["I", " see", "."];
  const received: Record<string, unknown>[] = [];
  const paths: string[] = [];
  let requests = 0;
  let failNext = false;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      requests++;
      if (options.silent) return new Promise<Response>(() => {});
      if (request.method === "GET") {
        const data = models.map((id) => ({ id, object: "model", created: 0, owned_by: "fake" }));
        return Response.json({ object: "list", data });
      }
      const body = (await request.json()) as Record<string, unknown>;
      received.push(body);
      const path = new URL(request.url).pathname;
      paths.push(path);
      if (failNext) {
        failNext = false;
        return Response.json({ error: { message: "overloaded" } }, { status: 500 });
      }
      const model = typeof body.model === "string" ? body.model : (models[0] as string);
      const usage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      const answer = options.answer?.(body, received.length - 1) ?? tokens;
      if (path.endsWith("/responses")) return streamedResponse(model, answer);
      const calls = options.toolCalls?.(body, received.length - 1);
      return body.stream === true ? streamed(model, answer, usage, calls) : whole(model, answer);
    },
  });
  return {
    baseUrl: `http://127.0.0.1:${server.port}/v1`,
    received,
    paths,
    requests: () => requests,
    failNext: () => {
      failNext = true;
    },
    stop: () => server.stop(true),
  };
}
