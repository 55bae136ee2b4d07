/**
 * Cross-site request refusal (CSRF), for every request that changes something or starts a
 * generation. Browsers say where a request comes from: `Sec-Fetch-Site` (Fetch Metadata, sent by
 * every current browser) and `Origin` (on every cross-origin request and every POST). A request
 * with neither is not from a browser's page (curl, an SDK), so it cannot be a forged one.
 * Spec: https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header
 */

/** Whether `request` was sent by a page of another site (or another origin of this one). */
export function isCrossSite(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  // "none": the user typed the URL or used a bookmark; "same-site" is a sibling origin, still not us.
  if (site !== null) return site !== "same-origin" && site !== "none";
  const origin = request.headers.get("origin");
  if (origin === null) return false;
  const host = request.headers.get("host");
  try {
    const from = new URL(origin);
    // A proxy that forwards nginx's $host has dropped the port: then the names must match.
    return host === null || (from.host !== host && (host.includes(":") || from.hostname !== host));
  } catch {
    // "null" (a sandboxed frame, a file:// page) or garbage: not this site.
    return true;
  }
}
