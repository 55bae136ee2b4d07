/**
 * How the model server is reached: the transport its calls go over, and which of its APIs
 * `/v1/responses` calls. Read by config.ts.
 */
import { ConfigError, choice, type Env } from "../env-values.ts";

/** How `/v1/responses` reaches the model: its chat completions, or its own Responses API (passed through). */
export const RESPONSES_UPSTREAMS = ["chat", "responses"] as const;
export type ResponsesUpstream = (typeof RESPONSES_UPSTREAMS)[number];

export interface ModelApiSettings {
  /**
   * How the model is reached: over plain sockets read on the JS thread (upstream/socket-fetch.ts),
   * or through the runtime's fetch (UPSTREAM_TRANSPORT=fetch, and always when HTTP_PROXY or
   * HTTPS_PROXY is set, since fetch honours them).
   */
  upstreamTransport: "socket" | "fetch";
  /** How `/v1/responses` calls the model: `chat` (translated to chat completions) or `responses` (its own Responses API). */
  responsesUpstream: ResponsesUpstream;
}

/** How the model server is reached: the transport, and the API `/v1/responses` calls. */
export function loadModelApis(env: Env): ModelApiSettings {
  return {
    upstreamTransport: upstreamTransport(env),
    // Chat completions are what every OpenAI-compatible server speaks; OpenAI and vLLM speak Responses too.
    responsesUpstream: choice(env, "RESPONSES_UPSTREAM", RESPONSES_UPSTREAMS) ?? "chat",
  };
}

const UPSTREAM_TRANSPORTS = ["socket", "fetch"] as const;

/** UPSTREAM_TRANSPORT (default `socket`); a proxy in the environment needs fetch, which honours it. */
function upstreamTransport(env: Env): "socket" | "fetch" {
  const proxied = ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"].some((name) => Boolean(env[name]));
  const chosen = choice(env, "UPSTREAM_TRANSPORT", UPSTREAM_TRANSPORTS);
  if (proxied && chosen === "socket")
    throw new ConfigError(
      "UPSTREAM_TRANSPORT",
      "socket cannot go through HTTP_PROXY/HTTPS_PROXY; use fetch or unset it",
    );
  return proxied ? "fetch" : (chosen ?? "socket");
}
