/**
 * Requests the page never makes, refused by what browsers say they are for. `Sec-Fetch-Dest`
 * (Fetch Metadata) names the request's destination: the page's `fetch()` and `EventSource` are
 * "empty", and only an image of a question (or of a shared one) is loaded by an `<img>`, only an
 * export or a question's document by a link (a navigation). Model output rendered as Markdown can hold `![x](/chat?q=…)`, which a browser
 * would fetch with the viewer's cookie as an image, same-origin, on every render: refused here, as
 * are style, script, frame and every other load of the API. A request without the header (curl,
 * an SDK, an older browser) is not a browser's subresource load, and passes.
 * Spec: https://www.w3.org/TR/fetch-metadata/#sec-fetch-dest-header
 */

// Questions' images, shown by the page's <img> elements (and a share link's copies, by its page's).
const IMAGE_ROUTE = /^\/api\/(conversations|shared)\/[^/]+\/images\/[^/]+$/;
// Exports, downloaded through an <a download> link, and documents' text, opened by a link: navigations.
const NAVIGABLE_ROUTE = /^\/api\/conversations\/[^/]+\/(export|documents\/[^/]+)$/;

/** Whether `path` is an API route, `/chat` or `/v1`: what only scripts and API clients call. */
export function isApiPath(path: string): boolean {
  return path === "/chat" || path.startsWith("/api/") || path.startsWith("/v1/");
}

/** Whether a request for `path` with this `Sec-Fetch-Dest` is one the page (or a non-browser client) makes. */
export function destinationAllowed(path: string, destination: string | null): boolean {
  if (destination === null || destination === "empty" || !isApiPath(path)) return true;
  if (destination === "image") return IMAGE_ROUTE.test(path);
  if (destination === "document") return NAVIGABLE_ROUTE.test(path);
  return false;
}
