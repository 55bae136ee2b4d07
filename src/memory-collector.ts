/**
 * Gives large buffers' memory back once they are let go. Either runtime's collector frees a
 * buffer only when it runs, and it runs by its own measure of the heap, in which a request's
 * buffers that lived through one collection weigh little: a flood of questions with images left
 * the bodies and images of finished requests resident, several times what was still in use. So
 * whoever lets go of many bytes says so (`released`), and once `threshold` bytes have been let go
 * the collector runs, on the next turn of the event loop (one run for a burst of releases): the
 * in-flight budget for what a request held, the request writer and the body reader for the
 * strings they make a chunk at a time, the store's worker for the images it was given to store.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { runtimeName } from "./runtime.ts";

let collect: (() => void) | undefined;

/**
 * A full, synchronous collection: `Bun.gc(true)` on Bun; on Deno, V8's `gc`, which a flag exposes
 * (set here, then read from a fresh context, where V8 installs it).
 */
function collector(): () => void {
  if (runtimeName === "bun") return () => Bun.gc(true);
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Runs the runtime's collector now, in full: for {@link MemoryCollector}, and the memory benchmarks. */
export function collectGarbage(): void {
  collect ??= collector();
  collect();
}

export class MemoryCollector {
  #released = 0;
  #scheduled = false;
  #runs = 0;

  /** `threshold`: the bytes let go that make the collector run. */
  constructor(public threshold: number) {}

  /** How many times it ran. */
  get runs(): number {
    return this.#runs;
  }

  /**
   * `bytes` were let go (they are garbage now, or soon). Past the threshold the collector runs on
   * the next turn; past twice the threshold before that turn came (work that lets go of much
   * without yielding), it runs now.
   */
  released(bytes: number): void {
    this.#released += bytes;
    if (this.#released >= 2 * this.threshold) this.#run();
    else if (this.#released >= this.threshold && !this.#scheduled) {
      this.#scheduled = true;
      setTimeout(() => {
        if (this.#scheduled) this.#run();
      }, 0);
    }
  }

  #run(): void {
    this.#scheduled = false;
    this.#released = 0;
    this.#runs++;
    collectGarbage();
  }
}

/**
 * The process's collector (each worker thread has its own), told by every part that lets go of
 * many bytes; services.ts sets its threshold from INFLIGHT_BYTES_MAX.
 */
export const memoryCollector = new MemoryCollector(32 * 1024 * 1024);
