/**
 * Who sent a request, as the edge (edge.ts) established it before routing: the user and the
 * client's address. Routes read it here instead of from headers, so no route can trust a header
 * the edge did not check.
 */
import { UnauthorizedError } from "../errors.ts";

export interface Requester {
  /** The signed-in user, or undefined on the few public routes. */
  user: string | undefined;
  /** The peer's address as the socket saw it. */
  address: string | undefined;
  /**
   * Who per-user limits count against: the user, or the address when everyone is one user
   * (AUTH=none), so that one client still cannot lock out the others.
   */
  limitKey: string | undefined;
  /** May use the admin page and API (ADMIN_USERS, or the provider's admin groups); absent: no. */
  admin?: boolean;
}

const requesters = new WeakMap<Request, Requester>();

export function rememberRequester(request: Request, requester: Requester): void {
  requesters.set(request, requester);
}

/** The requester of `request`: nobody, when the edge never saw it (in-process tests of one route). */
export function requesterOf(request: Request): Requester {
  return requesters.get(request) ?? { user: undefined, address: undefined, limitKey: undefined };
}

/** A signed-in requester: who owns what they start, and who their limits count against. */
export interface Caller {
  user: string;
  limitKey: string;
}

/** The signed-in user and their limit key; throws 401 when nobody is signed in. */
export function callerOf(request: Request): Caller {
  const { user, limitKey } = requesterOf(request);
  if (user === undefined) throw new UnauthorizedError();
  return { user, limitKey: limitKey ?? `user:${user}` };
}

/** The signed-in user; throws 401 when there is none. */
export function userOf(request: Request): string {
  const user = requesterOf(request).user;
  if (user === undefined) throw new UnauthorizedError();
  return user;
}
