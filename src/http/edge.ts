/**
 * The edge: every request passes here before the router sees it. It refuses path spellings that
 * could reach what the route table does not mean (`..`, encoded slashes, backslashes, doubled
 * slashes), makes routing independent of the Host header, applies ALLOWED_HOSTS and CORS, decides
 * who the requester is, and refuses anonymous and cross-site requests where they matter. One
 * place, evaluated on the exact request the router then routes.
 */
import type { Access } from "../auth/access.ts";
import { isCrossSite } from "../auth/cross-site.ts";
import { CrossSiteError, SluiceError, UnauthorizedError } from "../errors.ts";
import { errorResponse } from "./error-response.ts";
import { rememberRequester } from "./requester.ts";

/**
 * The edge's defences, each on in production. Only the attacker suite's negative controls turn
 * one off (programmatically; no setting does), to show the attack it stops then gets through.
 */
export interface EdgeDefences {
  /** Refuse dot segments, encoded slashes and backslashes, doubled slashes. */
  pathSpelling: boolean;
  /** Route by the path the edge checked, whatever the Host header. */
  hostRouting: boolean;
  /** Refuse cross-site requests that change something or start a generation. */
  crossSite: boolean;
}

export const ALL_DEFENCES: EdgeDefences = { pathSpelling: true, hostRouting: true, crossSite: true };

export interface EdgeSettings {
  access: Access;
  /** Host names accepted (lower case, no port); empty: any. */
  allowedHosts: readonly string[];
  /** Origins allowed to call the API cross-site (CORS). */
  corsOrigins: readonly string[];
  defences: EdgeDefences;
}

/** Reachable without signing in: the page and its files, sign-in itself, and the probes. */
const PUBLIC_PATHS = new Set(["/", "/login", "/healthz", "/readyz", "/favicon.svg", "/api/session"]);
const PUBLIC_PREFIX = "/assets/";

// Dot segments, encoded dots, slashes, backslashes and NUL, backslashes, doubled slashes: no route
// of ours needs them, and each has served files or routes it should not have somewhere.
// (Control characters cannot reach here: runtimes refuse them in a request line.)
const UNSAFE_PATH = /(^|\/)\.\.?(\/|$)|%2e|%2f|%5c|%00|\\|\/\//i;

// A name or IPv4 address, or a bracketed IPv6 address, with an optional port. Never empty: an
// empty Host makes the URL "http:///healthz", which URL parsing reads as host "healthz", path "/"
// (RFC 9112 §3.2: a request without a valid Host gets 400).
const VALID_HOST = /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;

/** Methods that cannot change anything (RFC 9110 §9.2.1), except GET /chat, which starts a generation. */
function changesState(method: string, path: string): boolean {
  if (method === "GET" || method === "HEAD") return path === "/chat";
  return method !== "OPTIONS";
}

/** Where the path starts: after "scheme://authority". */
function pathStart(url: string): number {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start === -1 ? url.length : start;
}

/**
 * The request with a host the router reads correctly. Elysia finds the path by searching for
 * "/" from index 11, which skips the path's first segment when "scheme://host" is shorter
 * (`Host: x`, `Host: abc`): such a request would be routed by a different path than the one a
 * proxy in front saw. The path and everything else stay as they are.
 */
function routable(request: Request, start: number): Request {
  if (request.url.indexOf("/", 11) === start) return request;
  return new Request(`http://sluice.invalid${request.url.slice(start)}`, request);
}

function corsHeaders(origin: string): Record<string, string> {
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": "GET, POST, PATCH, DELETE",
    "access-control-allow-headers": "authorization, content-type, last-event-id",
    "access-control-max-age": "600",
    vary: "origin",
  };
}

export type EdgeOutcome = { refuse: Response } | { request: Request; cors: Record<string, string> | undefined };

/** Checks one request; either a refusal to send, or the request to route. */
export function passEdge(original: Request, clientAddress: string | undefined, settings: EdgeSettings): EdgeOutcome {
  const start = pathStart(original.url);
  const query = original.url.indexOf("?", start);
  const path = original.url.slice(start, query === -1 ? undefined : query);
  const { defences } = settings;
  if (defences.pathSpelling && UNSAFE_PATH.test(path))
    return refuse(new SluiceError("invalid_path", "this path is not allowed", 400, { field: "path" }));
  const hostHeader = original.headers.get("host") ?? "";
  if (!VALID_HOST.test(hostHeader)) return refuse(new SluiceError("invalid_host", "the Host header is malformed", 400));
  const host = hostHeader.replace(/:\d+$/, "").toLowerCase();
  if (settings.allowedHosts.length > 0 && !settings.allowedHosts.includes(host))
    return refuse(new SluiceError("host_not_allowed", "this server does not answer for that host name", 421));
  const origin = original.headers.get("origin");
  const cors = origin && settings.corsOrigins.includes(origin) ? corsHeaders(origin) : undefined;
  if (original.method === "OPTIONS" && cors) return { refuse: new Response(null, { status: 204, headers: cors }) };
  const request = defences.hostRouting ? routable(original, start) : original;
  const user = settings.access.identify(original, clientAddress);
  const oneUser = settings.access.mode === "none" && clientAddress !== undefined;
  const limitKey = oneUser ? `address:${clientAddress}` : user && `user:${user}`;
  rememberRequester(request, { user, address: clientAddress, limitKey });
  const isPublic = PUBLIC_PATHS.has(path) || path.startsWith(PUBLIC_PREFIX);
  if (user === undefined && path === "/" && settings.access.mode === "token")
    return { refuse: new Response(null, { status: 303, headers: { location: "/login" } }) };
  if (user === undefined && !isPublic) return refuse(new UnauthorizedError(), { "www-authenticate": "Bearer" });
  if (defences.crossSite && changesState(original.method, path) && !cors && isCrossSite(original))
    return refuse(new CrossSiteError());
  return { request, cors };
}

function refuse(error: SluiceError, headers: Record<string, string> = {}): EdgeOutcome {
  const response = errorResponse(error);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return { refuse: response };
}
