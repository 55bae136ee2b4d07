/**
 * The edge: every request passes here before the router sees it. It refuses methods no route
 * has and path spellings that could reach what the route table does not mean (`..`, encoded
 * slashes, backslashes, doubled slashes), makes routing independent of the Host header, applies
 * ALLOWED_HOSTS and CORS, decides who the requester is (slowing down token guessing), and refuses
 * anonymous, cross-site and never-made (`Sec-Fetch-Dest`) requests where they matter. One place,
 * evaluated on the exact request the router then routes.
 */
import type { Access, Identity } from "../auth/access.ts";
import type { ClientAddressOf } from "../auth/client-address.ts";
import { isCrossSite } from "../auth/cross-site.ts";
import { destinationAllowed } from "../auth/fetch-destination.ts";
import { attemptKeys, type SignInThrottle } from "../auth/sign-in-throttle.ts";
import { CrossSiteError, NotFoundError, SluiceError, UnauthorizedError } from "../errors.ts";
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
  /** Answer methods no route has with 405, before anything else reads the request. */
  methods: boolean;
  /** Refuse API requests whose Sec-Fetch-Dest is a load the page never makes (an image, a frame…). */
  fetchDestination: boolean;
  /** Refuse, for a while, an address (or a named user) after too many wrong tokens. */
  signInThrottle: boolean;
  /** Answer the admin page and API to admins only; everyone else gets the 404 of a route that does not exist. */
  adminOnly: boolean;
}

export const ALL_DEFENCES: EdgeDefences = {
  pathSpelling: true,
  hostRouting: true,
  crossSite: true,
  methods: true,
  fetchDestination: true,
  signInThrottle: true,
  adminOnly: true,
};

export interface EdgeSettings {
  access: Access;
  /** Host names accepted (lower case, no port); empty: any. */
  allowedHosts: readonly string[];
  /** Origins allowed to call the API cross-site (CORS). */
  corsOrigins: readonly string[];
  /** The client's address, through the proxies in front (FORWARDED_PROXIES). */
  clientAddressOf: ClientAddressOf;
  /** Counts wrong bearer tokens (and sign-ins, in session.ts) per address and user. */
  throttle: SignInThrottle;
  defences: EdgeDefences;
  /** Further paths reachable without signing in, by prefix (a share link's page; its snapshot when SHARE=public). */
  publicPrefixes?: readonly string[];
}

/**
 * Every method a route of Sluice answers (HEAD with its GET). Others get 405 here: Deno's
 * `Request` refuses to be built with CONNECT, TRACE or TRACK (a 500 further in), and Bun closes
 * the connection on a method it does not know before any handler runs (which nginx would count
 * against an instance's health), so the shipped nginx refuses the same list before proxying.
 */
export const ALLOWED_METHODS: readonly string[] = ["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"];

/** Reachable without signing in: the page and its files, sign-in itself (OIDC's too), and the probes. */
const PUBLIC_PATHS = new Set([
  "/",
  "/login",
  "/healthz",
  "/readyz",
  "/favicon.svg",
  "/api/session",
  "/oidc/login",
  "/oidc/callback",
]);
/** The admin page and API (http/admin.ts): to anyone but an admin, routes that do not exist. */
const ADMIN_PATH = /^\/(admin|api\/admin(\/.*)?)$/;

/** Pages a person opens: nobody signed in is sent to the sign-in page, which brings them back. */
const SIGN_IN_FIRST = new Set(["/", "/admin"]);
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
export function passEdge(original: Request, peer: string | undefined, settings: EdgeSettings): EdgeOutcome {
  const start = pathStart(original.url);
  const query = original.url.indexOf("?", start);
  const path = original.url.slice(start, query === -1 ? undefined : query);
  const { defences } = settings;
  if (defences.methods && !ALLOWED_METHODS.includes(original.method))
    return refuse(new SluiceError("method_not_allowed", `${original.method} is not a method of Sluice`, 405), {
      allow: ALLOWED_METHODS.join(", "),
    });
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
  const who = identify(original, peer, settings);
  if ("refuse" in who) return who;
  const { identity, address } = who;
  const user = identity?.user;
  const oneUser = settings.access.mode === "none" && address !== undefined;
  const limitKey = oneUser ? `address:${address}` : user && `user:${user}`;
  rememberRequester(request, { user, address, limitKey, admin: identity?.admin ?? false });
  return admit(original, path, identity, cors, settings) ?? { request, cors };
}

/**
 * Who sends the request, and from which client address. A wrong bearer token counts as a failed
 * sign-in; an address past its failures gets 429 before its token is looked at.
 */
function identify(
  request: Request,
  peer: string | undefined,
  { access, clientAddressOf, throttle, defences }: EdgeSettings,
): { identity: Identity | undefined; address: string | undefined } | { refuse: Response } {
  const address = clientAddressOf(request, peer);
  const bearer = access.acceptsBearer ? access.bearerOf(request) : undefined;
  const keys = attemptKeys(address);
  if (bearer !== undefined && defences.signInThrottle) {
    try {
      throttle.check(keys);
    } catch (error) {
      return refuse(error as SluiceError);
    }
  }
  // The socket's peer, not the forwarded address: a proxy's user header counts only from the proxy.
  const identity = access.identify(request, peer);
  if (bearer !== undefined && identity === undefined && defences.signInThrottle) throttle.fail(keys, "bearer");
  return { identity, address };
}

/**
 * The refusal of a request that is anonymous where it may not be, for the admin page or API
 * from anyone but an admin, or that the page never makes.
 */
function admit(
  request: Request,
  path: string,
  identity: Identity | undefined,
  cors: Record<string, string> | undefined,
  { access, defences, publicPrefixes = [] }: EdgeSettings,
): EdgeOutcome | undefined {
  const isPublic =
    PUBLIC_PATHS.has(path) ||
    path.startsWith(PUBLIC_PREFIX) ||
    publicPrefixes.some((prefix) => path.startsWith(prefix));
  if (identity === undefined && SIGN_IN_FIRST.has(path) && (access.mode === "token" || access.mode === "oidc"))
    return { refuse: signInFirst(path) };
  if (identity === undefined && !isPublic) return refuse(new UnauthorizedError(), { "www-authenticate": "Bearer" });
  // Before anything reads the body: a bad body must not tell a non-admin that the route exists.
  if (defences.adminOnly && identity?.admin !== true && ADMIN_PATH.test(path))
    return refuse(new NotFoundError("route"));
  if (defences.fetchDestination && !destinationAllowed(path, request.headers.get("sec-fetch-dest")))
    return refuse(
      new SluiceError("unexpected_destination", "this address is not loaded as a page, image, style or frame", 403),
    );
  if (defences.crossSite && changesState(request.method, path) && !cors && isCrossSite(request))
    return refuse(new CrossSiteError());
  return undefined;
}

/** To the sign-in page, which returns to `path` once signed in. */
function signInFirst(path: string): Response {
  const location = path === "/" ? "/login" : `/login?return=${encodeURIComponent(path)}`;
  return new Response(null, { status: 303, headers: { location } });
}

function refuse(error: SluiceError, headers: Record<string, string> = {}): { refuse: Response } {
  const response = errorResponse(error);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return { refuse: response };
}
