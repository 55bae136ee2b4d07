import { afterEach, describe, expect, test } from "bun:test";
import { YoungGarbagePacer } from "../../src/young-garbage.ts";

const SETTINGS = { paceMs: 20, minActive: 4 };
const pacers: YoungGarbagePacer[] = [];

function pacer(active: { count: number }, collect: (() => void) | null = () => {}) {
  const made = new YoungGarbagePacer(() => active.count, SETTINGS, collect);
  pacers.push(made);
  return made;
}

afterEach(() => {
  for (const made of pacers.splice(0)) made.stop();
});

describe("the young-garbage pace", () => {
  test("collects on its pace while enough answers stream, and stops when they end", async () => {
    const active = { count: 4 };
    let collected = 0;
    const pace = pacer(active, () => collected++);
    pace.answerStarted();
    expect(pace.pacing).toBe(true);
    await Bun.sleep(SETTINGS.paceMs * 6);
    expect(collected).toBeGreaterThanOrEqual(2);
    expect(pace.runs).toBe(collected);
    active.count = 3;
    await Bun.sleep(SETTINGS.paceMs * 3);
    expect(pace.pacing).toBe(false);
    const after = collected;
    await Bun.sleep(SETTINGS.paceMs * 3);
    expect(collected).toBe(after);
  });

  test("negative control: fewer answers than the least never start it, and keep no timer", async () => {
    const active = { count: 3 };
    let collected = 0;
    const pace = pacer(active, () => collected++);
    pace.answerStarted();
    expect(pace.pacing).toBe(false);
    await Bun.sleep(SETTINGS.paceMs * 4);
    expect(collected).toBe(0);
  });

  test("one pace however many answers start, and none where the runtime has nothing to call", async () => {
    const active = { count: 10 };
    let collected = 0;
    const pace = pacer(active, () => collected++);
    for (let i = 0; i < 100; i++) pace.answerStarted();
    await Bun.sleep(SETTINGS.paceMs * 3.5);
    expect(collected).toBeLessThanOrEqual(4);
    const without = pacer(active, null);
    without.answerStarted();
    expect(without.pacing).toBe(false);
  });
});
