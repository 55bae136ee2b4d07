/**
 * Loaded into the app by heap-census.ts (`--preload`): once a second, a full collection and a
 * count of the heap's objects; a heap snapshot whenever the count holds still before the streams
 * open (`idle.json`, the last one kept), and one once it holds still with them open (`open.json`),
 * each with the process's memory then (`<name>-memory.json`: RSS, the heap's live bytes and capacity).
 * Writes into HEAP_CENSUS_DIR; does nothing without it.
 */
import { heapStats } from "bun:jsc";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.HEAP_CENSUS_DIR;
// Open streams hold at least half as many objects again as the idle app.
const OPEN_FACTOR = 1.5;
// Two counts within 1% of each other: nothing is starting or ending.
const STILL = 0.01;

/** The heap snapshot, and beside it the process's memory after the same collection. */
function snapshot(name: string): void {
  const stats = heapStats();
  const memory = {
    rss: process.memoryUsage().rss,
    heapSize: stats.heapSize,
    heapCapacity: stats.heapCapacity,
    extraMemorySize: stats.extraMemorySize,
  };
  writeFileSync(join(dir as string, `${name}-memory.json`), JSON.stringify(memory));
  writeFileSync(join(dir as string, `${name}.json`), JSON.stringify(Bun.generateHeapSnapshot()));
}

if (dir) {
  let previous = 0;
  let idleObjects = 0;
  let stillOpen = 0;
  let done = false;
  setInterval(() => {
    if (done) return;
    Bun.gc(true);
    const objects = heapStats().objectCount;
    const still = Math.abs(objects - previous) <= previous * STILL;
    previous = objects;
    if (idleObjects > 0 && objects > idleObjects * OPEN_FACTOR) {
      stillOpen = still ? stillOpen + 1 : 0;
      if (stillOpen < 2) return;
      snapshot("open");
      done = true;
    } else if (still) {
      snapshot("idle");
      idleObjects = objects;
    }
  }, 1_000).unref();
}
