/**
 * Every request the compose tests send to Sluice goes through nginx's published port, as a
 * user's would, with the access token the app made at its first start (`Authorization: Bearer …`)
 * once the suite has read it; the requests themselves are the harness's.
 */
import { callJson, request } from "../../harness/client/api.ts";
import { startChat } from "../../harness/client/chat.ts";
import { readStream, type StreamOptions, type StreamRead } from "../../harness/client/stream.ts";

/** nginx's published port: docker-compose.yml's SLUICE_HTTP_PORT, 8080 unless set. */
export const httpPort = Number(process.env.SLUICE_HTTP_PORT ?? 8080);

let accessToken: string | undefined;

/** From now on, requests carry `token` (undefined: none, as an anonymous client's). */
export function useAccessToken(token: string | undefined): void {
  accessToken = token;
}

/** Sluice through nginx on `port`. */
function sluiceUrl(port = httpPort): string {
  return `http://127.0.0.1:${port}`;
}

/** One request to Sluice; bounded unless the caller passes its own signal. */
export function sluiceRequest(path: string, init: RequestInit = {}, port = httpPort): Promise<Response> {
  return request(`${sluiceUrl(port)}${path}`, init, { token: accessToken });
}

/** A JSON call to Sluice through nginx, as the signed-in user. */
export function callSluice(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return callJson(sluiceUrl(), method, path, body, { token: accessToken, headers });
}

/** Reads an event stream through nginx as a browser does (asking for gzip), never without a bound. */
export function readEvents(path: string, options: StreamOptions & { port?: number } = {}): Promise<StreamRead> {
  return readStream(`${sluiceUrl(options.port)}${path}`, { timeoutMs: 60_000, token: accessToken, ...options });
}

/** Starts an answer to one user message; the path of its stream. */
export async function startStream(content: string): Promise<string> {
  return (await startChat(sluiceUrl(), content, { token: accessToken })).streamUrl;
}
