/**
 * Random requests for the property tests: methods (the app's, other known ones, made-up ones),
 * paths along the real routes with random segments, query strings of any Unicode (and bytes that
 * are no UTF-8 at all), random bodies and headers, as exact bytes. Seeded, so a failure names the
 * seed that reproduces it (FUZZ_SEED).
 */
import { createRandom } from "../../src/simulator/prng.ts";
import { rawRequest } from "./raw-http.ts";

/** The simulator's seeded generator (mulberry32): the same seed gives the same requests. */
export const seededRandom = createRandom;

export interface RandomRequest {
  /** One line, for a failure message. */
  summary: string;
  bytes: Buffer;
}

export interface Shape {
  /** Made-up methods (`FOO`): only where something answers them (Deno, or nginx in front). */
  unknownMethods: boolean;
  /**
   * Raw bytes beyond ASCII in the request target: where something answers them (Bun, or nginx in
   * front). Deno's parser answers them itself and resets the connection when a body follows.
   */
  rawTargetBytes: boolean;
  /** Sent as `Authorization: Bearer` on about half the requests. */
  token: string;
}

const APP_METHODS = ["GET", "GET", "GET", "POST", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const OTHER_METHODS = ["PUT", "TRACE", "PROPFIND", "CONNECT", "SEARCH", "PURGE", "MKCOL"];
const ROUTES = [
  "/",
  "/login",
  "/healthz",
  "/readyz",
  "/favicon.svg",
  "/assets/app.js",
  "/assets/*",
  "/api/session",
  "/api/chat",
  "/api/chat-settings",
  "/api/conversations",
  "/api/conversations/*",
  "/api/conversations/*/export",
  "/api/conversations/*/images/*",
  "/api/conversations/*/documents/*",
  "/api/streams/*",
  "/chat",
  "/v1/chat/completions",
  "/v1/models",
  "/metrics",
  "/sim/stats",
  "/*",
  "/*/*/*",
];
const QUERY_NAMES = ["q", "limit", "before", "format", "lastEventId", "x", "", "q[]", "%71"];
const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/vnd.api+json",
];
const DESTINATIONS = ["empty", "document", "image", "script", "iframe"];

type Pick = <T>(items: readonly T[]) => T;

/** One code point from anywhere in Unicode, surrogate halves and unassigned ones included. */
function codePoint(random: () => number): number {
  const roll = random();
  if (roll < 0.3) return 0x20 + Math.floor(random() * 0x5f);
  if (roll < 0.5) return Math.floor(random() * 0x20);
  if (roll < 0.7) return 0x80 + Math.floor(random() * 0x780);
  if (roll < 0.8) return 0xd800 + Math.floor(random() * 0x800);
  if (roll < 0.9) return 0x2460 + Math.floor(random() * 0x300);
  return Math.floor(random() * 0x110000);
}

/** `text` as UTF-8 bytes; a surrogate half is written as its 3-byte (invalid) UTF-8 form, as a client may. */
function utf8(points: number[]): Buffer {
  return Buffer.concat(
    points.map((point) =>
      point >= 0xd800 && point <= 0xdfff
        ? Buffer.from([0xe0 | (point >> 12), 0x80 | ((point >> 6) & 0x3f), 0x80 | (point & 0x3f)])
        : Buffer.from(String.fromCodePoint(point)),
    ),
  );
}

/** Random text for a path segment or a query value: percent-encoded bytes, raw UTF-8, or odd spellings. */
function piece(random: () => number, pick: Pick, rawBytes = true): string {
  const points = Array.from({ length: Math.floor(random() * 12) }, () => codePoint(random));
  const bytes = utf8(points);
  const style = random();
  if (style < 0.6) return [...bytes].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
  if (style < 0.75)
    return pick(["..", ".", "%2e%2e", "%2F", "%5c", "%00", "%ff%fe", "%c0%af", "%", "%g1", "~", "*", "'", '"']);
  if (style < 0.9)
    return [...bytes]
      .filter((byte) => byte > 0x20 && byte !== 0x7f && (rawBytes || byte < 0x80))
      .map((byte) => String.fromCharCode(byte))
      .join("");
  return crypto.randomUUID().slice(0, Math.floor(random() * 36));
}

function path(random: () => number, pick: Pick, rawBytes: boolean): string {
  const route = pick(ROUTES).replace(/\*/g, () => piece(random, pick, rawBytes));
  if (random() < 0.5) return route;
  const params = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
    const name = random() < 0.8 ? pick(QUERY_NAMES) : piece(random, pick, rawBytes);
    return random() < 0.1 ? name : `${name}=${piece(random, pick, rawBytes)}`;
  });
  return `${route}?${params.join(random() < 0.9 ? "&" : ";")}`;
}

function body(random: () => number, pick: Pick): Buffer {
  const roll = random();
  if (roll < 0.3) return Buffer.alloc(0);
  if (roll < 0.45)
    return Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
  if (roll < 0.55) return utf8(Array.from({ length: Math.floor(random() * 50) }, () => codePoint(random)));
  const value = () =>
    pick<unknown>([
      null,
      true,
      1.5,
      -1,
      1e308,
      "",
      "x",
      "\ud800",
      [],
      {},
      [{ type: "image_url", image_url: { url: "http://169.254.169.254/" } }],
      "/sim tokens=2\nhi",
    ]);
  const fields = [
    "messages",
    "content",
    "token",
    "title",
    "system_prompt",
    "model",
    "max_tokens",
    "max_completion_tokens",
    "stream",
    "conversationId",
    "parentId",
    "replace",
    "n",
  ];
  const object = Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(fields), value()]));
  if (random() < 0.3) object.messages = [{ role: pick(["user", "system", "tool", ""]), content: value() }];
  const text = JSON.stringify(object);
  return Buffer.from(random() < 0.1 ? text.slice(0, Math.floor(random() * text.length)) : text);
}

function method(random: () => number, pick: Pick, shape: Shape): string {
  const roll = random();
  if (roll < 0.75) return pick(APP_METHODS);
  if (roll < 0.9 || !shape.unknownMethods) return pick(OTHER_METHODS);
  return Array.from({ length: 1 + Math.floor(random() * 10) }, () =>
    String.fromCharCode(65 + Math.floor(random() * 26)),
  ).join("");
}

/** The next random request, as the exact bytes to send. */
export function randomRequest(random: () => number, shape: Shape): RandomRequest {
  const pick: Pick = (items) => items[Math.floor(random() * items.length)] as (typeof items)[number];
  const verb = method(random, pick, shape);
  const target = path(random, pick, shape.rawTargetBytes);
  const payload = body(random, pick);
  const headers = ["Host: localhost", "Connection: close"];
  if (random() < 0.5) headers.push(`Authorization: Bearer ${shape.token}`);
  if (random() < 0.6) headers.push(`Content-Type: ${pick(CONTENT_TYPES)}`);
  if (random() < 0.3) headers.push(`Sec-Fetch-Dest: ${pick(DESTINATIONS)}`, "Sec-Fetch-Site: same-origin");
  if (random() < 0.1) headers.push(`Last-Event-ID: ${piece(random, pick, shape.rawTargetBytes).slice(0, 100)}`);
  if (payload.length > 0 || random() < 0.2) headers.push(`Content-Length: ${payload.length}`);
  const head = Buffer.from(`${verb} ${target} HTTP/1.1\r\n${headers.join("\r\n")}\r\n\r\n`, "latin1");
  return { summary: `${verb} ${target} (${payload.length} body bytes)`, bytes: Buffer.concat([head, payload]) };
}

/** `count` random requests from `seed` of `shape`. */
export function randomRequests(seed: number, count: number, shape: Shape): RandomRequest[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => randomRequest(random, shape));
}

/** What went wrong with each request that got a 5xx or no answer at all (a reset, a closed connection). */
export async function faultsOf(port: number, requests: RandomRequest[], parallel = 4): Promise<string[]> {
  const faults: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++] as RandomRequest;
      const answer = await rawRequest(port, "", { bytes: request.bytes }).catch((error: Error) => error);
      if (answer instanceof Error) faults.push(`${request.summary}: ${answer.message}`);
      else if (answer.status === 0 || answer.status >= 500) faults.push(`${request.summary}: ${answer.status}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return faults;
}
