/**
 * The page's Content-Security-Policy. Model output is untrusted and is rendered as HTML (after
 * sanitizing); the policy is the second wall: no inline script or style, nothing from other
 * origins, so markup that slipped through could neither run nor call out.
 */
import { Elysia } from "elysia";

/** Every directive the page needs, and nothing else (public/ loads only same-origin files). */
export const contentSecurityPolicyValue = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // data: for the tiny inline images Markdown may carry; remote images would be tracking beacons.
  "img-src 'self' data:",
  // fetch() of the API and the EventSource of /api/streams/:id.
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Sets Content-Security-Policy on every response. Browsers apply it only to documents, so setting it
 * everywhere is harmless, and it covers the HTML however it is served: @elysiajs/static serves
 * index.html without a content-type on Deno, so a check on the type would miss it.
 */
export function contentSecurityPolicy() {
  return new Elysia({ name: "content-security-policy" }).onRequest(({ set }) => {
    set.headers["content-security-policy"] = contentSecurityPolicyValue;
  });
}
