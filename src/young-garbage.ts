/**
 * Keeps the garbage of streaming answers small on Bun. Every relayed token leaves a few hundred
 * bytes of garbage behind (its chunk's parsed JSON, its strings, its frame). JavaScriptCore lets
 * garbage pile up until the heap has grown by an allowance that follows the size of the heap
 * itself, so with 1,000 answers streaming the process held about ten megabytes of dead tokens
 * between two collections: a third of what an open stream cost in RSS.
 *
 * While at least `minActive` answers stream, an eden collection runs every `paceMs`. An eden
 * collection visits what was made since the last one (2–3 ms with 1,000 streams), not the whole
 * heap, and the collector's own collections come less often for it: the pile stays at what
 * `paceMs` of tokens make, for no CPU the relay benchmark can see (loadtest/README.md).
 *
 * Fewer answers make too little garbage for it to matter, and an idle process keeps no timer.
 * Deno's V8 already collects its young generation each time its space, which V8 keeps small, fills.
 */
import { runtimeName } from "./runtime.ts";

export interface YoungGarbageSettings {
  /** Between two collections while answers stream. */
  paceMs: number;
  /** The fewest answers streaming at once for the pace to run. */
  minActive: number;
}

export const YOUNG_GARBAGE_DEFAULTS: YoungGarbageSettings = { paceMs: 250, minActive: 32 };

/** Bun's eden collection (`bun:jsc`), loaded on Bun only; none on Deno. */
function edenCollection(): (() => void) | null {
  if (runtimeName !== "bun") return null;
  const jsc = require("bun:jsc") as typeof import("bun:jsc");
  return () => void jsc.edenGC();
}

export class YoungGarbagePacer {
  #timer: ReturnType<typeof setInterval> | undefined;
  #runs = 0;

  /** `active`: how many answers (generations and `/v1` calls) stream now; `collect`: the runtime's young collection, null when it has none to call. */
  constructor(
    private readonly active: () => number,
    private readonly settings: YoungGarbageSettings = YOUNG_GARBAGE_DEFAULTS,
    private readonly collect: (() => void) | null = edenCollection(),
  ) {}

  /** Collections run so far (`sluice_young_collections`). */
  get runs(): number {
    return this.#runs;
  }

  /** Whether the pace is running (enough answers were streaming at its last look). */
  get pacing(): boolean {
    return this.#timer !== undefined;
  }

  /** An answer started: the pace starts if enough stream now. */
  answerStarted(): void {
    if (this.#timer || !this.collect || this.active() < this.settings.minActive) return;
    this.#timer = setInterval(this.#tick, this.settings.paceMs);
    this.#timer.unref?.();
  }

  /** Stops the pace (its own tick does, when too few answers stream); the next answer to start may start it again. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  readonly #tick = (): void => {
    if (this.active() < this.settings.minActive) {
      this.stop();
      return;
    }
    this.collect?.();
    this.#runs++;
  };
}
