/**
 * Which in-flight reservation (limits/inflight-bytes.ts) a request's body is counted in: opened by
 * the handler before routing and released once the response is made, so the body parser, deep in
 * the router, adds to the right one.
 */
import type { HoldBytes } from "../conversations/context-images.ts";
import { type Reservation, STORED_IMAGE_BYTE_WEIGHT } from "../limits/inflight-bytes.ts";

const reservations = new WeakMap<Request, Reservation>();

export function holdReservation(request: Request, reservation: Reservation): void {
  reservations.set(request, reservation);
}

/** The request's reservation; none for a request the handler never saw (in-process tests of one route). */
export function reservationOf(request: Request): Reservation | undefined {
  return reservations.get(request);
}

/** Counts the stored images a turn sends again in the request's reservation, before they are loaded, like a body's. */
export function storedImagesHold(request: Request): HoldBytes | undefined {
  const reservation = reservationOf(request);
  return reservation && ((bytes: number) => reservation.add(bytes * STORED_IMAGE_BYTE_WEIGHT));
}
