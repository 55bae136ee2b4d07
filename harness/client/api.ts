/**
 * Calls to Sluice's API as its clients make them: a base URL, the user's bearer token when there
 * is one, a bounded lifetime, and JSON both ways. Tests, benches and load scenarios all call
 * through here, so credentials, time bounds and the reading of an answer are written once.
 */

/** An answer other than the one expected: `code` is `http_<status>` or `bad_response`. */
export class ResponseError extends Error {
  override name = "ResponseError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CallOptions {
  /** A user's access token, sent as `Authorization: Bearer …` unless `headers` carry credentials. */
  token?: string | undefined;
  headers?: Record<string, string>;
  /** Bound on the whole call, the answer's body included (default 15 s); `signal` replaces it. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A certificate authority to trust for https:// (a test's self-signed certificate). */
  ca?: string | undefined;
  /** Sends the request instead of a socket's fetch, e.g. an in-process app's `handle`. */
  send?: (request: Request) => Promise<Response>;
}

/** The headers of a call: the token, unless the caller brings its own credentials (a cookie, another token). */
function headersOf(init: RequestInit, options: CallOptions): Headers {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  if (options.token && !headers.has("authorization") && !headers.has("cookie"))
    headers.set("authorization", `Bearer ${options.token}`);
  return headers;
}

/** `url` with the caller's credentials and a time bound: the raw Response. */
export function request(url: string, init: RequestInit = {}, options: CallOptions = {}): Promise<Response> {
  const signal = options.signal ?? init.signal ?? AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const prepared = { ...init, headers: headersOf(init, options), signal };
  if (options.send) return options.send(new Request(url, prepared));
  return fetch(url, options.ca ? { ...prepared, tls: { ca: options.ca } } : prepared);
}

/**
 * `method path` with `body` as JSON (a string is sent as it is, for malformed-input tests): the
 * status, the headers, the text, and the JSON when the answer is JSON (else null).
 */
export async function callJson(base: string, method: string, path: string, body?: unknown, options: CallOptions = {}) {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { "content-type": "application/json" };
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await request(`${base}${path}`, init, options);
  const text = await response.text();
  const isJson = (response.headers.get("content-type") ?? "").includes("json");
  return { status: response.status, headers: response.headers, text, json: isJson && text ? JSON.parse(text) : null };
}

/** Throws {@link ResponseError} `http_<status>` unless `response` has the expected status. */
export async function expectStatus(response: Response, expected: number, what: string): Promise<void> {
  if (response.status === expected) return;
  const body = await response.text().catch(() => "");
  throw new ResponseError(`http_${response.status}`, `${what}: HTTP ${response.status} ${body.slice(0, 200)}`);
}
