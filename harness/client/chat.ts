/**
 * Sluice's own chat protocol, first step: POST /api/chat answers 202 with the new stream's id and
 * URL. Every test, bench and load scenario starts its answers here.
 */
import type { ChatMessage } from "../../src/contract.ts";
import { type CallOptions, expectStatus, ResponseError, request } from "./api.ts";

export interface StartedChat {
  streamId: string;
  /** As the server gave it: `/api/streams/<id>`. */
  streamUrl: string;
  /** The same, absolute on the base the chat was started on. */
  url: string;
}

export interface ChatOptions extends CallOptions {
  /** Ask in this stored conversation (default: a one-shot chat). */
  conversationId?: string;
}

/**
 * Starts an answer to one user message (`content`) or to these messages.
 * @throws {ResponseError} `http_<status>` unless 202, `bad_response` without the stream's id and URL.
 */
export async function startChat(
  base: string,
  content: string | ChatMessage[],
  options: ChatOptions = {},
): Promise<StartedChat> {
  const messages = typeof content === "string" ? [{ role: "user", content }] : content;
  const body = { ...(options.conversationId ? { conversationId: options.conversationId } : {}), messages };
  const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  const response = await request(`${base}/api/chat`, init, options);
  await expectStatus(response, 202, "POST /api/chat");
  const answer = (await response.json()) as Partial<StartedChat>;
  if (typeof answer.streamId !== "string" || typeof answer.streamUrl !== "string")
    throw new ResponseError("bad_response", `POST /api/chat: no streamId/streamUrl in ${JSON.stringify(answer)}`);
  return { streamId: answer.streamId, streamUrl: answer.streamUrl, url: new URL(answer.streamUrl, base).toString() };
}
