/**
 * The live and recently finished generations of this process, by id: creation within limits,
 * retention after the end within a byte budget, and draining at shutdown.
 */
import { DrainingError, MemoryBudgetError, TooManyGenerationsError } from "../errors.ts";
import type { Held } from "../held.ts";
import { newStreamId } from "../stream-id.ts";
import type { MemoryMeter } from "./event-log.ts";
import {
  Generation,
  type GenerationEndListener,
  type GenerationFailure,
  type GenerationOptions,
} from "./generation.ts";

export interface RegistrySettings {
  maxActive: number;
  retentionMs: number;
  /** What every retained generation holds in memory together, running or finished (event-log.ts memoryBytes). */
  retainedBytesMax: number;
  /** Called for every refusal, with its reason (the `sluice_rejected_total` metric). */
  rejected?: (reason: "active_generations" | "retained_bytes" | "draining") => void;
  /** Called as each generation or `/v1` call starts: both relay tokens (the young-garbage pace's cue). */
  started?: () => void;
}

/** A generation's place, admitted and held until it starts ({@link GenerationRegistry.reserve}). */
export interface RegistrySlot extends Held {
  /** Starts the generation in the held place. */
  create(options: NewGeneration): Generation;
  /** Gives the place back (idempotent; nothing once `create` has run). */
  release(): void;
}

/** A place in the registry, held: an object with methods (a closure per generation costs memory while it runs). */
class HeldSlot implements RegistrySlot {
  #held = true;

  constructor(private readonly registry: GenerationRegistry) {}

  create(options: NewGeneration): Generation {
    // A slot given back starts like any generation, admitted again.
    if (!this.#held) return this.registry.create(options);
    this.#held = false;
    return this.registry.startHeld(options);
  }

  release(): void {
    if (this.#held) this.registry.unhold();
    this.#held = false;
  }
}

export type NewGeneration = Omit<GenerationOptions, "id"> & {
  /** The id to use: a stream id already stored with the question. A new one when absent. */
  id?: string;
};

// What a retained generation costs beside its log (the object, its timers, its map entries), a
// round figure above what loadtest/memory-bench/retained-heap.ts measured: counting it bounds the
// number of retained generations too.
export const GENERATION_OVERHEAD_BYTES = 4_096;

export const SHUTDOWN_FAILURE: GenerationFailure = {
  code: "server_shutdown",
  message: "the server restarted before the answer was complete; send it again",
  retryable: true,
};

export class GenerationRegistry implements GenerationEndListener {
  readonly #generations = new Map<string, Generation>();
  readonly #running = new Set<Generation>();
  /** Finished generations, oldest end first: the eviction order. */
  readonly #finished = new Map<string, { bytes: number; timer: ReturnType<typeof setTimeout> }>();
  #finishedBytes = 0;
  /** What the running generations' logs hold, kept by the logs themselves as they grow. */
  readonly #runningLogs: MemoryMeter = { bytes: 0 };
  #active = 0;
  #draining = false;

  constructor(private readonly settings: RegistrySettings) {}

  /**
   * Starts a generation now, before anyone subscribes. Throws 429 at the limit or when running
   * answers fill the byte budget, 503 while draining.
   */
  create(options: NewGeneration): Generation {
    this.admit();
    return this.#start(options);
  }

  /**
   * Admits one generation now (throwing what {@link create} would) and holds its place until the
   * slot's `create` starts it: work done in between (storing the question) cannot be followed by a
   * refusal from a limit, only by a shutdown begun meanwhile (503). `release` gives the place back.
   */
  reserve(): RegistrySlot {
    this.admit();
    this.#active++;
    return new HeldSlot(this);
  }

  /** A held place given back. */
  unhold(): void {
    this.#active--;
  }

  /** Starts a generation in a place held already (a slot's), unless the registry began draining. */
  startHeld(options: NewGeneration): Generation {
    this.#active--;
    if (this.#draining) throw new DrainingError();
    return this.#start(options);
  }

  #start(options: NewGeneration): Generation {
    const id = options.id ?? newStreamId();
    const generation = new Generation({ ...options, id, memory: this.#runningLogs });
    this.#generations.set(generation.id, generation);
    this.#running.add(generation);
    this.#active++;
    generation.whenEnded(this);
    this.settings.started?.();
    return generation;
  }

  /** A generation of this registry ended: it no longer runs, and is retained for replay. */
  generationEnded(generation: Generation): void {
    this.#active--;
    this.#running.delete(generation);
    // Its log has ended: it grows no more, and is counted among the finished from here.
    this.#runningLogs.bytes -= generation.log.memoryBytes;
    this.#retain(generation);
  }

  /** The generation `id` if it belongs to `owner`: to anyone else it does not exist. */
  find(id: string, owner: string): Generation | undefined {
    const generation = this.#generations.get(id);
    return generation?.owner === owner ? generation : undefined;
  }

  /** Throws what {@link create} would throw now; for callers that prepare work before creating. */
  admit(): void {
    const refuse = (reason: "active_generations" | "retained_bytes" | "draining", error: Error) => {
      this.settings.rejected?.(reason);
      throw error;
    };
    if (this.#draining) refuse("draining", new DrainingError());
    if (this.#active >= this.settings.maxActive)
      refuse("active_generations", new TooManyGenerationsError(this.settings.maxActive));
    this.#evict(GENERATION_OVERHEAD_BYTES);
    if (this.retainedBytes + GENERATION_OVERHEAD_BYTES > this.settings.retainedBytesMax)
      refuse("retained_bytes", new MemoryBudgetError());
  }

  /**
   * Counts an upstream call that is not a generation (a `/v1` pass-through) against the limit
   * of active generations, until it is released.
   */
  acquireCall(): Held {
    if (this.#draining) throw new DrainingError();
    if (this.#active >= this.settings.maxActive) {
      this.settings.rejected?.("active_generations");
      throw new TooManyGenerationsError(this.settings.maxActive);
    }
    this.#active++;
    this.settings.started?.();
    return new HeldSlot(this);
  }

  get activeCount(): number {
    return this.#active;
  }

  /** What the retained generations hold now: finished ones as retained, running ones as they grow. */
  get retainedBytes(): number {
    return this.#finishedBytes + this.#runningLogs.bytes + this.#running.size * GENERATION_OVERHEAD_BYTES;
  }

  /** How many generations are retained, running or finished. */
  get retainedCount(): number {
    return this.#generations.size;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Refuses new generations, lets running ones finish for up to `timeoutMs`, then ends the rest
   * with a retryable `server_shutdown` error and waits for them to record their end.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    const running = this.running();
    const all = Promise.all(running.map((generation) => generation.settled));
    const timedOut = await Promise.race([all.then(() => false), sleep(timeoutMs).then(() => true)]);
    if (!timedOut) return;
    for (const generation of running) generation.cancel("shutdown", SHUTDOWN_FAILURE);
    await all;
  }

  /** The generations still running. */
  running(): Generation[] {
    return [...this.#running];
  }

  #retain(generation: Generation): void {
    const bytes = generation.log.memoryBytes + GENERATION_OVERHEAD_BYTES;
    const timer = setTimeout(() => this.#forget(generation.id), this.settings.retentionMs);
    // A retained answer must not keep the process alive at shutdown.
    (timer as { unref?: () => void }).unref?.();
    this.#finished.set(generation.id, { bytes, timer });
    this.#finishedBytes += bytes;
    this.#evict(0);
  }

  /** Forgets the oldest finished generations until `room` more bytes fit the budget (or none is left). */
  #evict(room: number): void {
    if (this.#finished.size === 0) return;
    let excess = this.retainedBytes + room - this.settings.retainedBytesMax;
    for (const [id, entry] of this.#finished) {
      if (excess <= 0) return;
      excess -= entry.bytes;
      this.#forget(id);
    }
  }

  #forget(id: string): void {
    const entry = this.#finished.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#finished.delete(id);
    this.#finishedBytes -= entry.bytes;
    this.#generations.delete(id);
  }
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
