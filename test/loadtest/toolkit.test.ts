/**
 * The measuring toolkit every load tool and bench shares: the percentile definition, the /proc
 * sampler, the fetch cap, the environment report, and the SSE reader's read bookkeeping.
 */
import { describe, expect, test } from "bun:test";
import { readEvents, type TimedEvent } from "../../harness/client/sse-reader.ts";
import { describeEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { median, percentileOf } from "../../harness/measure/percentile.ts";
import { cpuByThread, cpuMicros, cpuTime, rssBytes, withChildren } from "../../harness/measure/proc.ts";
import { FETCH_CAP, FETCH_CAP_VARIABLE, withFetchCap } from "../../harness/stack/fetch-cap.ts";

describe("percentiles", () => {
  test("unsorted values, numbers sorted as numbers, the median of an even count interpolated", () => {
    expect(percentileOf([100, 9, 30, 2, 50], 50)).toBe(30);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentileOf([10, 20, 30, 40, 50], 90)).toBe(46);
  });

  test("no values is no data, not a zero that looks measured", () => {
    expect(percentileOf([], 99)).toBeNaN();
  });
});

describe("/proc sampler", () => {
  test("reads this process's CPU time, threads and memory", () => {
    const before = cpuMicros(process.pid);
    const until = performance.now() + 50;
    while (performance.now() < until) Math.sqrt(Math.random());
    expect(cpuMicros(process.pid)).toBeGreaterThan(before);
    const { userUs, kernelUs } = cpuTime(process.pid);
    expect(userUs + kernelUs).toBe(cpuMicros(process.pid));
    expect(cpuByThread(process.pid).size).toBeGreaterThan(0);
    expect(rssBytes(process.pid)).toBeGreaterThan(1024 * 1024);
  });

  test("a process that is gone reads as zero instead of throwing", async () => {
    const child = Bun.spawn(["true"]);
    await child.exited;
    expect(cpuMicros(child.pid)).toBe(0);
    expect(rssBytes(child.pid)).toBe(0);
    expect(cpuByThread(child.pid).size).toBe(0);
  });

  test("a process with its children", async () => {
    const child = Bun.spawn(["sleep", "5"]);
    try {
      expect(withChildren(process.pid)).toContain(child.pid);
    } finally {
      child.kill();
      await child.exited;
    }
  });
});

test("the fetch cap is added unless the caller set one", () => {
  expect(withFetchCap({ A: "1" })).toEqual({ [FETCH_CAP_VARIABLE]: FETCH_CAP, A: "1" });
  expect(withFetchCap({ [FETCH_CAP_VARIABLE]: "300" })[FETCH_CAP_VARIABLE]).toBe("300");
});

test("the environment report names the machine and the runtimes", () => {
  const line = describeMachine(describeEnvironment(new URL("../../", import.meta.url).pathname));
  expect(line).toContain(`Bun ${Bun.version}`);
  expect(line).toMatch(/\d+ cores, \d+ GiB/);
});

test("the SSE reader numbers the network reads and reports retry", async () => {
  const chunks = ["retry: 1000\n\ndata: a\n\ndata: b\n\n", "data: c\n\n"].map((text) => new TextEncoder().encode(text));
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  const events: TimedEvent[] = [];
  const reads: number[] = [];
  let retry: number | undefined;
  await readEvents(body, {
    onEvent: (event) => {
      events.push(event);
      return undefined;
    },
    onRead: (_at, bytes) => reads.push(bytes),
    onRetry: (value) => {
      retry = value;
    },
  });
  expect(events.map((event) => [event.data, event.read])).toEqual([
    ["a", 0],
    ["b", 0],
    ["c", 1],
  ]);
  expect(reads).toHaveLength(2);
  expect(retry).toBe(1000);
});
