/**
 * Whether the upstream answers, for `/readyz` and the page's model badge: `GET <upstream>/models`
 * through the same client the generations use, with a short timeout, at most once per interval.
 * Every caller in between gets the cached answer, and callers that arrive while a probe is out
 * share it, so a busy `/readyz` never multiplies the calls to the provider.
 */
import type OpenAI from "openai";

export interface UpstreamHealth {
  /** Whether the upstream answered its models list the last time it was asked. */
  reachable(): Promise<boolean>;
}

export interface ProbeOptions {
  /** How long an answer is reused before the upstream is asked again. */
  intervalMs?: number;
  /** How long a probe waits: short, so `/readyz` answers promptly even when the upstream hangs. */
  timeoutMs?: number;
}

/** The in-process simulator is part of this process: reachable whenever the process is. */
export const alwaysReachable: UpstreamHealth = { reachable: async () => true };

/** Probes `client`'s upstream, at most once per `intervalMs` (15 s by default). */
export class UpstreamProbe implements UpstreamHealth {
  readonly #client: OpenAI;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #last = false;
  #pending: Promise<boolean> | undefined;

  constructor(client: OpenAI, { intervalMs = 15_000, timeoutMs = 2_000 }: ProbeOptions = {}) {
    this.#client = client;
    this.#intervalMs = intervalMs;
    this.#timeoutMs = timeoutMs;
  }

  reachable(): Promise<boolean> {
    if (performance.now() - this.#checkedAt < this.#intervalMs) return Promise.resolve(this.#last);
    this.#pending ??= this.#probe().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #probe(): Promise<boolean> {
    let answered: boolean;
    try {
      // Any 2xx will do: an upstream that refuses the key (401) cannot answer a question either.
      await this.#client.models.list({ timeout: this.#timeoutMs, maxRetries: 0 });
      answered = true;
    } catch {
      // Refused, timed out, or an error status: the reason goes to the generations' own errors.
      answered = false;
    }
    this.#last = answered;
    this.#checkedAt = performance.now();
    return answered;
  }
}
