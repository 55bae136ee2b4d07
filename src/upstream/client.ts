/**
 * The model client: the official `openai` package, so any OpenAI-compatible server works (OpenAI,
 * Ollama, vLLM, llama.cpp server, LM Studio, the simulator).
 */
import OpenAI from "openai";
import { readsCallSignal, signalOf } from "./call-signal.ts";
import { socketFetch } from "./socket-fetch.ts";

export interface UpstreamSettings {
  baseUrl: string;
  apiKey: string | undefined;
  /** Replaces the network for the in-process simulator. */
  fetch?: (request: Request) => Promise<Response>;
  /** `fetch`: the runtime's own (proxies, or a model server the socket client does not suit). */
  transport?: "socket" | "fetch";
}

// The most setTimeout takes. The client's own timeout is effectively off: completions are timed
// by the token watchdog (timeouts.ts), which knows first token from next token.
const NO_CLIENT_TIMEOUT_MS = 2_147_483_647;

/**
 * Creates the client; retries are off because a retry would be a second, billed model call. Its
 * requests go over plain sockets read on the JS thread (socket-fetch.ts), unless `transport` is fetch.
 */
export function createUpstreamClient(settings: UpstreamSettings): OpenAI {
  const inProcess = settings.fetch;
  const network = settings.transport === "fetch" ? runtimeFetch : socketFetch;
  const client = new OpenAI({
    baseURL: settings.baseUrl,
    // Local servers (Ollama, llama.cpp) need no key, but the client insists on one.
    apiKey: settings.apiKey ?? "none",
    maxRetries: 0,
    timeout: NO_CLIENT_TIMEOUT_MS,
    logLevel: "off",
    fetch: inProcess ? inProcessFetch(inProcess) : network,
  });
  // Each of the three fetches listens to a call's handed-over signal (call-signal.ts).
  return readsCallSignal(client);
}

/** The runtime's own fetch, listening to a call's handed-over signal. */
function runtimeFetch(url: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  return fetch(url, { ...init, signal: signalOf(init) ?? null });
}

/**
 * The in-process simulator behind fetch's signature. A network fetch errors its response body
 * when the signal aborts; a Response made in-process does not, so a Stop would leave the upstream
 * read waiting forever (every Stop of the relay benchmark's embedded mode hung so). Piping the
 * body through the signal gives the network's behaviour: the reader errors, the simulator sees a cancel.
 */
function inProcessFetch(handle: (request: Request) => Promise<Response>) {
  return async (url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const signal = signalOf(init);
    const response = await handle(new Request(url, { ...init, signal: signal ?? null }));
    if (!signal || !response.body) return response;
    const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>(), { signal });
    return new Response(body, response);
  };
}
