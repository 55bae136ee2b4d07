/**
 * The client's address behind proxies: the peer itself, unless the peer is one of the proxies in
 * front (FORWARDED_PROXIES), whose X-Forwarded-For then names who connected to it. Per-address
 * limits and sign-in throttling count this address; behind nginx the peer is always nginx.
 *
 * nginx appends the address it saw to whatever X-Forwarded-For the client sent
 * (`$proxy_add_x_forwarded_for`), so only the entries proxies added are believed: from the right,
 * skipping the listed proxies, the first other address is the client (RFC 7239 §5.2 reasoning).
 */
import { inRanges, parseAddress, parseRanges } from "./cidr.ts";

export type ClientAddressOf = (request: Request, peer: string | undefined) => string | undefined;

/** Finds client addresses through the proxies in `cidrs`; throws ConfigError naming FORWARDED_PROXIES. */
export function clientAddresses(cidrs: string[]): ClientAddressOf {
  const proxies = parseRanges("FORWARDED_PROXIES", cidrs);
  return (request, peer) => {
    if (peer === undefined || !inRanges(peer, proxies)) return peer;
    const forwarded = request.headers.get("x-forwarded-for");
    if (!forwarded) return peer;
    const hops = forwarded.split(",").map((hop) => hop.trim());
    for (let index = hops.length - 1; index >= 0; index--) {
      const hop = hops[index] as string;
      // Garbage where an address should be: the proxy's own peer is all we can vouch for.
      if (!parseAddress(hop)) return peer;
      if (!inRanges(hop, proxies)) return hop;
    }
    return hops[0] ?? peer;
  };
}
