/**
 * What one upstream call reports while it runs; metrics implement this. A generation reports
 * more (generation/observer.ts), the `/v1` pass-through exactly this.
 */
import type { CancelReason } from "../contract.ts";

export interface UpstreamCallObserver {
  /** The first content token arrived, `ttftMs` after the call started. */
  firstToken(ttftMs: number): void;
  /** One content token arrived. */
  token(): void;
  /** The call was aborted before its end. */
  cancelled(reason: CancelReason): void;
  /** The call failed with this stable code. */
  failed(code: string): void;
}
