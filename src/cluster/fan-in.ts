/**
 * One Redis subscriber connection per instance, shared by everything that listens: the live
 * events of every generation watched here but running elsewhere, and this instance's control
 * channel. A viewer costs a channel subscription, not a connection.
 *
 * Chosen over `XREAD BLOCK` on many streams: pub/sub pushes each event once to the instances
 * that listen, whereas a blocking read sends every watched key again on each round and must be
 * woken to add a key. The stream stays the replay log (shared-directory.ts reads it once, after
 * subscribing, so no event falls between the two).
 */
import { logError } from "../log.ts";
import type { Redis } from "./redis-client.ts";

export type MessageHandler = (message: string) => void;

export class FanIn {
  readonly #handlers = new Map<string, MessageHandler>();
  /** Channels subscribed again after a reconnection (control); the others end on a loss. */
  readonly #lasting = new Set<string>();
  readonly #lostListeners = new Set<() => void>();

  constructor(private readonly subscriber: Redis) {
    subscriber.on("message", (channel: string, message: string) => {
      try {
        this.#handlers.get(channel)?.(message);
      } catch (error) {
        // One bad message must not take the connection's other listeners down with it.
        logError("message handling failed", { channel, error });
      }
    });
    // Messages sent while the connection was down are gone: whoever relied on them must know.
    subscriber.on("close", () => {
      for (const channel of this.#handlers.keys()) if (!this.#lasting.has(channel)) this.#handlers.delete(channel);
      for (const listener of this.#lostListeners) listener();
    });
    subscriber.on("ready", () => {
      if (this.#lasting.size > 0) void subscriber.subscribe(...this.#lasting).catch(() => {});
    });
  }

  /**
   * Calls `handler` with each message on `channel` from the moment this resolves, until the
   * returned function is called. `lasting` channels survive a lost connection.
   */
  async listen(channel: string, handler: MessageHandler, lasting = false): Promise<() => void> {
    this.#handlers.set(channel, handler);
    if (lasting) this.#lasting.add(channel);
    try {
      await this.subscriber.subscribe(channel);
    } catch (error) {
      this.#handlers.delete(channel);
      throw error;
    }
    return () => {
      if (this.#handlers.get(channel) !== handler) return;
      this.#handlers.delete(channel);
      this.#lasting.delete(channel);
      void this.subscriber.unsubscribe(channel).catch(() => {});
    };
  }

  /** Calls `listener` each time the connection is lost. */
  onLost(listener: () => void): () => void {
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }

  /** Channels subscribed now (for the metrics). */
  get channelCount(): number {
    return this.#handlers.size;
  }
}
