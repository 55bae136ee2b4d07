import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readStream } from "../support/sse.ts";
import { ALICE, BOB, bearer, type Cluster, type Instance, startAnswer, startCluster } from "./instances.ts";

let a: Instance;
let b: Instance;
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ LIMIT_USER_CONCURRENT: "2", LIMIT_USER_PER_MINUTE: "1000" });
  [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
});
afterAll(() => cluster?.stop());

const json = { "content-type": "application/json" };

async function signIn(instance: Instance, token: string): Promise<string> {
  const response = await fetch(`${instance.url}/api/session`, {
    method: "POST",
    headers: { ...json, origin: instance.url },
    body: JSON.stringify({ token }),
  });
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
}

const userWith = async (instance: Instance, cookie: string) =>
  ((await (await fetch(`${instance.url}/api/session`, { headers: { cookie } })).json()) as { user?: string }).user;

describe("state shared by every instance", () => {
  test("a conversation written through A is read through B, and only by its owner", async () => {
    const created = await fetch(`${a.url}/api/conversations`, {
      method: "POST",
      headers: { ...json, ...bearer(ALICE) },
      body: JSON.stringify({ title: "written on A" }),
    });
    const { id } = (await created.json()) as { id: string };
    const sent = await fetch(`${a.url}/api/chat`, {
      method: "POST",
      headers: { ...json, ...bearer(ALICE) },
      body: JSON.stringify({ conversationId: id, content: "/sim tokens=5\nhello", parentId: null }),
    });
    expect(sent.status).toBe(202);
    const { streamId } = (await sent.json()) as { streamId: string };
    // Watched on B while A runs it; stored when it ends.
    const read = await readStream(`${b.url}/api/streams/${streamId}`, { headers: bearer(ALICE) });
    expect(read.events.at(-1)?.event).toBe("done");
    let stored: { title: string; messages: { role: string; status: string }[] } | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      stored = await (await fetch(`${b.url}/api/conversations/${id}`, { headers: bearer(ALICE) })).json();
      if (stored?.messages.length === 2) break;
      await Bun.sleep(100);
    }
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
    let user: string | undefined = "alice";
    for (let attempt = 0; attempt < 20 && user !== undefined; attempt++) {
      user = await userWith(b, cookie);
      if (user !== undefined) await Bun.sleep(50);
    }
    expect(user).toBeUndefined();
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
      const refused = await fetch(`${instance.url}/api/chat`, {
        method: "POST",
        headers: { ...json, ...bearer(BOB) },
        body: JSON.stringify({ messages: [{ role: "user", content: "one more" }] }),
      });
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("too_many_requests");
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
