/**
 * What a generation reports about itself while it runs; metrics implement this.
 */
import type { DoneEvent, ErrorEvent } from "./events.ts";
import type { CancelReason } from "./generation.ts";

export interface GenerationObserver {
  started(): void;
  firstToken(ttftMs: number): void;
  token(): void;
  upstreamCancelled(reason: CancelReason): void;
  ended(end: DoneEvent | ErrorEvent, cancelReason: CancelReason | undefined): void;
}

export const silentObserver: GenerationObserver = {
  started() {},
  firstToken() {},
  token() {},
  upstreamCancelled() {},
  ended() {},
};
