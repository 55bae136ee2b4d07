/**
 * The live and recently finished generations of this process, by id: creation within limits,
 * retention after the end, and draining at shutdown.
 */
import { DrainingError, TooManyGenerationsError } from "../errors.ts";
import { Generation, type GenerationOptions } from "./generation.ts";

export interface RegistrySettings {
  maxActive: number;
  retentionMs: number;
}

export type NewGeneration = Omit<GenerationOptions, "id">;

export class GenerationRegistry {
  readonly #generations = new Map<string, Generation>();
  #active = 0;
  #draining = false;

  constructor(private readonly settings: RegistrySettings) {}

  /** Starts a generation now, before anyone subscribes. Throws 429 at the limit, 503 while draining. */
  create(options: NewGeneration): Generation {
    if (this.#draining) throw new DrainingError();
    if (this.#active >= this.settings.maxActive) throw new TooManyGenerationsError(this.settings.maxActive);
    const generation = new Generation({ ...options, id: newGenerationId() });
    this.#generations.set(generation.id, generation);
    this.#active++;
    void generation.settled.then(() => {
      this.#active--;
      const timer = setTimeout(() => this.#generations.delete(generation.id), this.settings.retentionMs);
      // A retained answer must not keep the process alive at shutdown.
      (timer as { unref?: () => void }).unref?.();
    });
    return generation;
  }

  /** The generation `id` if it belongs to `owner`: to anyone else it does not exist. */
  find(id: string, owner: string): Generation | undefined {
    const generation = this.#generations.get(id);
    return generation?.owner === owner ? generation : undefined;
  }

  get activeCount(): number {
    return this.#active;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Refuses new generations, lets running ones finish for up to `timeoutMs`, then cancels the
   * rest with reason "shutdown" and waits for them to record their end.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    const running = [...this.#generations.values()].filter((generation) => !generation.ended);
    const all = Promise.all(running.map((generation) => generation.settled));
    const timedOut = await Promise.race([all.then(() => false), sleep(timeoutMs).then(() => true)]);
    if (!timedOut) return;
    for (const generation of running) generation.cancel("shutdown");
    await all;
  }
}

/** 128 random bits, URL-safe: an id nobody can guess (and ownership is checked all the same). */
function newGenerationId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
