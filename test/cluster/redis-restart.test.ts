import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { pollUntil } from "../../harness/client/poll.ts";
import { readStream } from "../../harness/client/stream.ts";
import { ALICE, bearer, type Cluster, type Instance, startAnswer, startCluster } from "./instances.ts";

let a: Instance;
let b: Instance;
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
  [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
});
afterAll(() => cluster?.stop());

describe("Redis restarting mid-stream (empty: no persistence)", () => {
  test("the owner's viewers read on; others' streams close, and resume with no gap once Redis is back", async () => {
    const id = await startAnswer(a, "/sim tps=25 tokens=100\nkeep going");
    const url = (instance: Instance) => `${instance.url}/api/streams/${id}`;
    const onA = readStream(url(a), { headers: bearer(ALICE), timeoutMs: 20_000 });
    const onB = readStream(url(b), { headers: bearer(ALICE), timeoutMs: 20_000 });
    await Bun.sleep(800);
    const restarted = cluster.redis.restart({ downMs: 1_500 });
    await Bun.sleep(500);
    // While Redis is down, nothing new starts: a clear, retryable 503.
    const now = { messages: [{ role: "user", content: "now?" }] };
    const refused = await callJson(b.url, "POST", "/api/chat", now, { token: ALICE });
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe("shared_state_unavailable");

    const cut = await onB;
    // Closed without an end: a reconnection resumes it.
    expect(cut.ended).toBe("eof");
    expect(["done", "error"]).not.toContain(cut.events.at(-1)?.event);
    await restarted;

    const whole = await onA;
    expect(whole.events.at(-1)?.event).toBe("done");
    const lastSeen = cut.events.at(-1)?.id ?? "0";
    const resume = () => readStream(url(b), { token: ALICE, lastEventId: lastSeen });
    const rest = await pollUntil(resume, (read) => read.status === 200, 5_000, 250);
    expect(rest.status).toBe(200);
    const ids = [...cut.events, ...rest.events].map((event) => Number(event.id));
    expect(ids).toEqual(whole.events.map((event) => Number(event.id)));
    expect(rest.events.at(-1)?.event).toBe("done");

    // And new answers start again.
    expect(await startAnswer(b, "/sim tokens=3\nback")).toBeString();
  });
});
