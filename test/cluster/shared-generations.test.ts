import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { answerText, readStream } from "../../harness/client/stream.ts";
import { ALICE, BOB, bearer, type Cluster, type Instance, startAnswer, startCluster } from "./instances.ts";

const SLOW = "/sim tps=40 tokens=400\nkeep talking";
let a: Instance;
let b: Instance;
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ CANCEL_GRACE_MS: "300" });
  [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
});
afterAll(() => cluster?.stop());

const stream = (instance: Instance, id: string) => `${instance.url}/api/streams/${id}`;
const cancellationsOf = async (instance: Instance, id: string) =>
  (await fetchSimStats(instance.internal)).cancellations.filter((entry) => entry.request_id === id);

describe("generations shared through Redis", () => {
  test("a stream started on A resumes on B with no gap and no repeat", async () => {
    const id = await startAnswer(a, "/sim tps=50 tokens=60\nhello");
    const first = await readStream(stream(a, id), { headers: bearer(ALICE), closeWhen: (event) => event.id === "10" });
    expect(first.events.at(-1)?.id).toBe("10");
    const rest = await readStream(stream(b, id), { headers: { ...bearer(ALICE), "last-event-id": "10" } });
    const ids = [...first.events, ...rest.events].map((event) => Number(event.id));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => index + 1));
    expect(rest.events.at(-1)?.event).toBe("done");
    // The whole answer, read on B from the start, is the same text.
    const whole = await readStream(stream(b, id), { headers: bearer(ALICE) });
    expect(answerText(whole.events)).toBe(answerText([...first.events, ...rest.events]));
  });

  test("a resume on B right after reading on A is never refused as past the end", async () => {
    // B's copy follows A through Redis, milliseconds behind what A's viewer read: B waits for it.
    const id = await startAnswer(a, "/sim tps=50 tokens=60\nagain and again");
    let last = 0;
    for (let round = 0; round < 12; round++) {
      const onA = await readStream(stream(a, id), {
        headers: { ...bearer(ALICE), "last-event-id": String(last) },
        closeWhen: () => true,
      });
      last = Number(onA.events.at(-1)?.id ?? last);
      const onB = await readStream(stream(b, id), {
        headers: { ...bearer(ALICE), "last-event-id": String(last) },
        closeWhen: () => true,
      });
      expect(onB.status).toBe(200);
      if (onB.events.length === 0) break;
      expect(Number(onB.events[0]?.id)).toBe(last + 1);
      last = Number(onB.events.at(-1)?.id);
    }
  });

  test("another user's stream does not exist on any instance", async () => {
    const id = await startAnswer(a, "/sim tps=50 tokens=20\nmine");
    for (const instance of [a, b]) {
      const response = await fetch(stream(instance, id), { headers: bearer(BOB) });
      expect(response.status).toBe(404);
      await response.body?.cancel();
    }
  });

  test("Stop sent to B cancels the upstream call on A within 100 ms", async () => {
    const id = await startAnswer(a, SLOW);
    const watching = readStream(stream(b, id), { headers: bearer(ALICE), timeoutMs: 15_000 });
    await Bun.sleep(500);
    const sentAt = performance.timeOrigin + performance.now();
    const stop = await fetch(stream(b, id), { method: "DELETE", headers: bearer(ALICE) });
    expect(await stop.json()).toMatchObject({ status: "ended", finish_reason: "cancelled" });
    const read = await watching;
    expect(read.events.at(-1)?.event).toBe("done");
    expect(JSON.parse(read.events.at(-1)?.data ?? "{}").finish_reason).toBe("cancelled");
    const [record] = await cancellationsOf(a, id);
    expect(record).toBeDefined();
    const reachedAfter = (record?.seen_at_ms ?? 0) - sentAt;
    console.log(`Stop sent to B reached A's model call after ${reachedAfter.toFixed(1)} ms`);
    expect(reachedAfter).toBeLessThan(100);
    expect(await cancellationsOf(b, id)).toEqual([]);
  });

  test("a viewer leaving A while another watches on B does not cancel the answer", async () => {
    const id = await startAnswer(a, "/sim tps=40 tokens=60\nhold on");
    const onB = readStream(stream(b, id), { headers: bearer(ALICE), timeoutMs: 15_000 });
    await readStream(stream(a, id), { headers: bearer(ALICE), closeWhen: (event) => event.id === "3" });
    const read = await onB;
    expect(read.events.at(-1)?.event).toBe("done");
    expect(JSON.parse(read.events.at(-1)?.data ?? "{}").finish_reason).not.toBe("cancelled");
    expect(await cancellationsOf(a, id)).toEqual([]);
  });

  test("negative control: with nobody watching on B, the same departure cancels after the grace", async () => {
    const id = await startAnswer(a, "/sim tps=40 tokens=60\nhold on");
    await readStream(stream(a, id), { headers: bearer(ALICE), closeWhen: (event) => event.id === "3" });
    expect(await eventually(async () => (await cancellationsOf(a, id)).length === 1, 5_000)).toBe(true);
  });

  test("a viewer that left B lets the grace run on A", async () => {
    const id = await startAnswer(a, "/sim tps=40 tokens=60\nhold on");
    await readStream(stream(b, id), { headers: bearer(ALICE), closeWhen: (event) => event.id === "3" });
    expect(await eventually(async () => (await cancellationsOf(a, id)).length === 1, 5_000)).toBe(true);
  });
});
