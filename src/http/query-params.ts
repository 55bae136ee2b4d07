/**
 * What a query string may not do beyond each route's schema: give a parameter twice. Elysia
 * keeps the last of `?limit=1&limit=2` silently; which one the client meant is a guess, so it
 * is answered 400 naming the parameter instead.
 */
import { ValidationError } from "../errors.ts";

/** Throws a {@link ValidationError} naming the first query parameter given more than once. */
export function rejectRepeatedParams(request: Request): void {
  const { url } = request;
  const query = url.indexOf("?");
  // One parameter at most: nothing can repeat (the common case, parsed for nothing otherwise).
  if (query === -1 || url.indexOf("&", query) === -1) return;
  const seen = new Set<string>();
  for (const name of new URLSearchParams(url.slice(query + 1)).keys()) {
    if (seen.has(name)) throw new ValidationError(name.slice(0, 64), "must be given once");
    seen.add(name);
  }
}
