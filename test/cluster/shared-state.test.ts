import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { pollUntil } from "../../harness/client/poll.ts";
import { readStream } from "../../harness/client/stream.ts";
import { ALICE, BOB, bearer, type Cluster, type Instance, startAnswer, startCluster } from "./instances.ts";

let a: Instance;
let b: Instance;
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ LIMIT_USER_CONCURRENT: "2", LIMIT_USER_PER_MINUTE: "1000" });
  [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
});
afterAll(() => cluster?.stop());

async function signIn(instance: Instance, token: string): Promise<string> {
  const response = await callJson(
    instance.url,
    "POST",
    "/api/session",
    { token },
    { headers: { origin: instance.url } },
  );
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
}

const userWith = async (instance: Instance, cookie: string) =>
  (await callJson(instance.url, "GET", "/api/session", undefined, { headers: { cookie } })).json.user as
    | string
    | undefined;

describe("state shared by every instance", () => {
  test("a conversation written through A is read through B, and only by its owner", async () => {
    const created = await callJson(a.url, "POST", "/api/conversations", { title: "written on A" }, { token: ALICE });
    const id = created.json.id as string;
    const question = { conversationId: id, content: "/sim tokens=5\nhello", parentId: null };
    const sent = await callJson(a.url, "POST", "/api/chat", question, { token: ALICE });
    expect(sent.status).toBe(202);
    const streamId = sent.json.streamId as string;
    // Watched on B while A runs it; stored when it ends.
    const read = await readStream(`${b.url}/api/streams/${streamId}`, { headers: bearer(ALICE) });
    expect(read.events.at(-1)?.event).toBe("done");
    const readBack = async () =>
      (await callJson(b.url, "GET", `/api/conversations/${id}`, undefined, { token: ALICE })).json;
    const stored: { title: string; messages: { role: string; status: string }[] } | undefined = await pollUntil(
      readBack,
      (conversation) => conversation?.messages.length === 2,
      5_000,
      100,
    );
    expect(stored?.title).toBe("written on A");
    expect(stored?.messages.map((message) => [message.role, message.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
    expect((await fetch(`${b.url}/api/conversations/${id}`, { headers: bearer(BOB) })).status).toBe(404);
  });

  test("a session made on A is valid on B, and signing out on A ends it on B", async () => {
    const cookie = await signIn(a, ALICE);
    expect(await userWith(b, cookie)).toBe("alice");
    const out = await fetch(`${a.url}/api/session`, { method: "DELETE", headers: { cookie, origin: a.url } });
    expect(out.status).toBeLessThan(300);
    expect(
      await pollUntil(
        () => userWith(b, cookie),
        (user) => user === undefined,
        1_000,
        50,
      ),
    ).toBeUndefined();
  });

  test("an instance started after a sign-out knows of it", async () => {
    const cookie = await signIn(a, ALICE);
    await fetch(`${a.url}/api/session`, { method: "DELETE", headers: { cookie, origin: a.url } });
    const c = await cluster.start("c");
    expect(await userWith(c, cookie)).toBeUndefined();
    expect(await userWith(c, await signIn(a, ALICE))).toBe("alice");
    await c.stop();
  });

  test("per-user limits count the answers running on every instance", async () => {
    const long = "/sim tps=20 tokens=200\nlong";
    const first = await startAnswer(a, long, BOB);
    const second = await startAnswer(b, long, BOB);
    for (const instance of [a, b]) {
      const oneMore = { messages: [{ role: "user", content: "one more" }] };
      const refused = await callJson(instance.url, "POST", "/api/chat", oneMore, { token: BOB });
      expect(refused.status).toBe(429);
      expect(refused.json.error.code).toBe("too_many_requests");
    }
    // Another user is not held back by bob's answers.
    await startAnswer(b, "/sim tokens=3\nhi", ALICE);
    // Stopping one, on the other instance, frees a slot everywhere.
    await fetch(`${b.url}/api/streams/${first}`, { method: "DELETE", headers: bearer(BOB) });
    const third = await startAnswer(a, "/sim tokens=3\nnow", BOB);
    expect(third).toBeString();
    await fetch(`${a.url}/api/streams/${second}`, { method: "DELETE", headers: bearer(BOB) });
  });
});
