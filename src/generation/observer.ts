/**
 * What a generation reports about itself while it runs; metrics implement this. On top of its
 * upstream call's reports: that it started and how it ended.
 */
import type { CancelReason, EndEvent } from "../contract.ts";
import type { UpstreamCallObserver } from "../upstream/call-observer.ts";

export interface GenerationObserver extends UpstreamCallObserver {
  started(): void;
  ended(end: EndEvent, cancelReason: CancelReason | undefined): void;
}

export const silentObserver: GenerationObserver = {
  started() {},
  firstToken() {},
  token() {},
  cancelled() {},
  failed() {},
  ended() {},
};
