/**
 * The routes that stream through nginx, each opened the way its clients open it, reduced to the
 * events that carry the answer's tokens.
 */
import { startChat } from "../../harness/client/chat.ts";
import { paced } from "../../harness/client/sim-prompt.ts";
import { type ReceivedEvent, readStream, type StreamOptions, type StreamRead } from "../../harness/client/stream.ts";

export type StreamRoute =
  | "/api/streams/:id"
  | "/chat"
  | "/v1/chat/completions"
  | "/v1/responses"
  | "/api/chat (AI SDK)";

export const STREAM_ROUTES: StreamRoute[] = [
  "/api/streams/:id",
  "/chat",
  "/v1/chat/completions",
  "/v1/responses",
  "/api/chat (AI SDK)",
];

export interface RouteResult {
  stream: StreamRead;
  /** One event per answer token, in arrival order. */
  tokens: ReceivedEvent[];
}

/** An OpenAI chunk with answer text (the first chunk only carries the role). */
function carriesContent(event: ReceivedEvent): boolean {
  if (event.data === "[DONE]") return false;
  const chunk = JSON.parse(event.data) as { choices?: { delta?: { content?: string } }[] };
  return Boolean(chunk.choices?.[0]?.delta?.content);
}

/** Streams a `tokens`-token answer at `tps` (with the simulator `fault`, if any) through `baseUrl` on `route`. */
export async function streamAnswer(
  baseUrl: string,
  route: StreamRoute,
  pacing: { tokens: number; tps: number; fault?: string },
  options: StreamOptions = {},
): Promise<RouteResult> {
  const content = paced(pacing.tokens, pacing.tps, undefined, pacing.fault);
  const timeoutMs = options.timeoutMs ?? 10_000 + (pacing.tokens / pacing.tps) * 1_000;
  if (route === "/api/streams/:id") {
    const stream = await readStream((await startChat(baseUrl, content, { ca: options.ca })).url, {
      timeoutMs,
      ...options,
    });
    return { stream, tokens: stream.events.filter((event) => event.event === "token") };
  }
  if (route === "/chat") {
    const stream = await readStream(`${baseUrl}/chat?q=${encodeURIComponent(content)}`, { timeoutMs, ...options });
    return { stream, tokens: stream.events.filter((event) => event.event === undefined && event.data !== "[DONE]") };
  }
  if (route === "/v1/responses") {
    const body = { model: "demo", stream: true, store: false, input: content };
    const stream = await readStream(`${baseUrl}/v1/responses`, { method: "POST", body, timeoutMs, ...options });
    return { stream, tokens: stream.events.filter((event) => event.event === "response.output_text.delta") };
  }
  if (route === "/api/chat (AI SDK)") {
    const message = { id: "q", role: "user", parts: [{ type: "text", text: content }] };
    const body = { id: `e2e-${crypto.randomUUID()}`, trigger: "submit-message", messages: [message] };
    const stream = await readStream(`${baseUrl}/api/chat`, { method: "POST", body, timeoutMs, ...options });
    return { stream, tokens: stream.events.filter((event) => event.data.startsWith('{"type":"text-delta"')) };
  }
  const body = { model: "demo", stream: true, messages: [{ role: "user", content }] };
  const stream = await readStream(`${baseUrl}/v1/chat/completions`, { method: "POST", body, timeoutMs, ...options });
  return { stream, tokens: stream.events.filter(carriesContent) };
}
