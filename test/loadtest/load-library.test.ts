/**
 * The load generator's own pieces, without a server: percentiles, thresholds, ramp targets,
 * Prometheus parsing, and SSE reading with event times whatever the network chunking.
 */
import { describe, expect, test } from "bun:test";
import { prometheusSum } from "../../harness/client/metrics.ts";
import { readEvents, type TimedEvent } from "../../harness/client/sse-reader.ts";
import { percentile } from "../../harness/measure/percentile.ts";
import { stageTarget } from "../../loadtest/lib/executors.ts";
import { Counter, Rate, Trend } from "../../loadtest/lib/metrics.ts";
import { evaluateThresholds, ThresholdSyntaxError } from "../../loadtest/lib/thresholds.ts";

describe("metrics", () => {
  test("percentiles interpolate between closest ranks, as k6 does", () => {
    const sorted = [10, 20, 30, 40, 50];
    expect(percentile(sorted, 50)).toBe(30);
    expect(percentile(sorted, 90)).toBe(46);
    expect(percentile(sorted, 100)).toBe(50);
    expect(percentile([], 95)).toBe(0);
  });

  test("a trend summarises all values and each tag value apart", () => {
    const trend = new Trend("test_trend");
    for (const value of [5, 1, 3]) trend.add(value, { band: "low" });
    trend.add(100, { band: "high" });
    const summary = trend.summary();
    expect(summary.values).toMatchObject({ count: 4, min: 1, max: 100, med: 4 });
    expect(summary.tagged?.["band:low"]).toMatchObject({ count: 3, med: 3 });
    expect(summary.tagged?.["band:high"]).toMatchObject({ count: 1, med: 100 });
  });

  test("rates and counters", () => {
    const rate = new Rate("test_rate");
    rate.add(true);
    rate.add(false);
    const counter = new Counter("test_counter");
    counter.add(2, { code: "http_503" });
    counter.add(1, { code: "timeout" });
    expect(rate.summary().values).toMatchObject({ rate: 0.5, passes: 1, fails: 1 });
    expect(counter.summary().values.count).toBe(3);
    expect(counter.summary().tagged?.["code:http_503"]?.count).toBe(2);
  });
});

describe("thresholds", () => {
  const metrics = {
    ttft: { type: "trend" as const, values: { count: 3, "p(95)": 120, avg: 100 } },
    empty: { type: "trend" as const, values: { count: 0, "p(95)": 0 } },
    errors: { type: "counter" as const, values: { count: 0 } },
    goodput: { type: "rate" as const, values: { rate: 0.97, total: 100 } },
  };

  test("each expression is checked against its statistic", () => {
    const results = evaluateThresholds(
      { ttft: ["p(95)<150", "avg>=101"], errors: ["count==0"], goodput: ["rate>0.95"] },
      metrics,
    );
    expect(results.map((result) => result.ok)).toEqual([true, false, true, true]);
  });

  test("a metric without samples fails, except a count that must be zero", () => {
    const results = evaluateThresholds({ empty: ["p(95)<1000"], missing: ["rate==1"], never: ["count==0"] }, metrics);
    expect(results.map((result) => result.ok)).toEqual([false, false, true]);
  });

  test("an unreadable expression is an error, not a pass", () => {
    expect(() => evaluateThresholds({ ttft: ["p95 < 1"] }, metrics)).toThrow(ThresholdSyntaxError);
  });
});

test("ramping stages interpolate from zero, then from each previous target", () => {
  const stages = [
    { durationS: 10, target: 100 },
    { durationS: 10, target: 100 },
    { durationS: 5, target: 0 },
  ];
  expect(stageTarget(stages, 0)).toBe(0);
  expect(stageTarget(stages, 5)).toBe(50);
  expect(stageTarget(stages, 15)).toBe(100);
  expect(stageTarget(stages, 22.5)).toBe(50);
  expect(stageTarget(stages, 99)).toBe(0);
  expect(stageTarget([{ durationS: 0, target: 7 }], 0)).toBe(7);
});

test("prometheusSum adds the samples whose labels match", () => {
  const text = [
    "# HELP sluice_upstream_cancelled_total Upstream requests aborted",
    'sluice_upstream_cancelled_total{reason="stop"} 4',
    'sluice_upstream_cancelled_total{reason="disconnect"} 7',
    "sluice_upstream_cancelled_totally 99",
    "sluice_streams_active 12",
  ].join("\n");
  expect(prometheusSum(text, "sluice_upstream_cancelled_total", { reason: "disconnect" })).toBe(7);
  expect(prometheusSum(text, "sluice_upstream_cancelled_total")).toBe(11);
  expect(prometheusSum(text, "sluice_streams_active")).toBe(12);
});

describe("readEvents", () => {
  const wire =
    "retry: 1000\n: connected\n\nid: 1\nevent: token\ndata: héllo\n\nid: 2\nevent: token\ndata: two\ndata: lines\n\nid: 3\nevent: done\ndata: {}\n\n";

  function chunked(text: string, sizes: number[]): ReadableStream<Uint8Array> {
    const bytes = new TextEncoder().encode(text);
    let offset = 0;
    let i = 0;
    return new ReadableStream({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        const size = sizes[i++ % sizes.length] as number;
        controller.enqueue(bytes.slice(offset, offset + size));
        offset += size;
      },
    });
  }

  test.each([[[1]], [[2, 3]], [[7]], [[1000]]])("the same events whatever the chunking (%p bytes)", async (sizes) => {
    const events: TimedEvent[] = [];
    const comments: string[] = [];
    const end = await readEvents(chunked(wire, sizes), {
      onEvent: (event) => {
        events.push(event);
        return undefined;
      },
      onComment: (comment) => comments.push(comment),
    });
    expect(end).toBe("closed");
    expect(events.map((event) => [event.id, event.event, event.data])).toEqual([
      ["1", "token", "héllo"],
      ["2", "token", "two\nlines"],
      ["3", "done", "{}"],
    ]);
    expect(comments).toEqual(["connected"]);
    expect(events.every((event) => event.at > 0)).toBe(true);
  });

  test("a handler returning false stops the reading", async () => {
    const seen: string[] = [];
    const end = await readEvents(chunked(wire, [5]), {
      onEvent: (event) => {
        seen.push(event.id ?? "");
        return event.id !== "1" ? undefined : false;
      },
    });
    expect(end).toBe("stopped");
    expect(seen).toEqual(["1"]);
  });
});
