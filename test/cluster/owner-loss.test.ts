import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { pollUntil } from "../../harness/client/poll.ts";
import { readStream } from "../../harness/client/stream.ts";
import { ALICE, bearer, type Cluster, type Instance, startCluster } from "./instances.ts";

let a: Instance;
let b: Instance;
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
  [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
});
afterAll(() => cluster?.stop());

let orphan = "";
let heardTokens = 0;
const asAlice = { token: ALICE };

interface Stored {
  messages: { role: string; status: string; content: string }[];
  running_stream_id: string | null;
}

describe("an instance that dies mid-answer", () => {
  test("its viewers on B get a retryable interrupted error within 5 s, and the answer keeps its text", async () => {
    const id = (await callJson(a.url, "POST", "/api/conversations", {}, asAlice)).json.id as string;
    const content = "/sim tps=20 tokens=400\ntell me";
    const sent = await callJson(a.url, "POST", "/api/chat", { conversationId: id, content, parentId: null }, asAlice);
    const streamId = sent.json.streamId as string;
    orphan = streamId;
    let killedAt = 0;
    const watching = readStream(`${b.url}/api/streams/${streamId}`, {
      headers: bearer(ALICE),
      timeoutMs: 20_000,
    });
    // Long enough for a few tokens and a checkpoint (CHECKPOINT_MS=200) to be stored.
    await Bun.sleep(1_000);
    a.process.kill("SIGKILL");
    killedAt = performance.now();
    const read = await watching;
    const end = read.events.at(-1);
    expect(read.ended).toBe("eof");
    expect(end?.event).toBe("error");
    expect(JSON.parse(end?.data ?? "{}")).toMatchObject({ code: "interrupted", retryable: true });
    heardTokens = read.events.length - 1;
    const heardAfter = performance.now() - killedAt;
    console.log(`B's viewer heard the owner's death after ${Math.round(heardAfter)} ms`);
    expect(heardAfter).toBeLessThan(5_000);

    // B (or any live instance) stores the answer as interrupted, with the text checkpointed on A,
    // once A has been silent for 10 s (answer-sweeper.ts).
    const readBack = async () => (await callJson(b.url, "GET", `/api/conversations/${id}`, undefined, asAlice)).json;
    const stored: Stored = await pollUntil(
      readBack,
      (conversation) => conversation.running_stream_id === null,
      25_000,
      100,
    );
    expect(stored?.running_stream_id).toBeNull();
    const answer = stored?.messages.at(-1);
    expect(answer?.status).toBe("interrupted");
    expect(answer?.content.length).toBeGreaterThan(0);
  });

  test("a resume on B after the death replays what was sent, then the same error", async () => {
    const read = await readStream(`${b.url}/api/streams/${orphan}`, {
      headers: { ...bearer(ALICE), "last-event-id": "2" },
    });
    expect(read.events.map((event) => Number(event.id))).toEqual(
      Array.from({ length: heardTokens - 1 }, (_, index) => index + 3),
    );
    expect(read.events.at(-1)?.event).toBe("error");
    expect(JSON.parse(read.events.at(-1)?.data ?? "{}").code).toBe("interrupted");
  });
});
