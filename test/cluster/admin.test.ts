/**
 * The admin across instances (Redis and PostgreSQL): an admin on A signs bob out everywhere and
 * his sessions end on B at once, including one B made (a per-user "signed out before", not a list
 * of session ids); an instance started afterwards knows it too. The running list on A shows what
 * B runs, and Stop on A reaches B's generation through the owner's control channel. Every action
 * is one audit row in the shared database.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { eventually } from "../../harness/client/poll.ts";
import { readStream } from "../../harness/client/stream.ts";
import { ALICE, BOB, bearer, type Cluster, type Instance, startAnswer, startCluster } from "./instances.ts";

let a: Instance;
let b: Instance;
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ ADMIN_USERS: "alice" });
  [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
});
afterAll(() => cluster?.stop());

async function signIn(instance: Instance, token: string): Promise<string> {
  const response = await callJson(instance.url, "POST", "/api/session", { token });
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
}

const status = async (instance: Instance, cookie: string) =>
  (await fetch(`${instance.url}/api/conversations`, { headers: { cookie } })).status;

const adminCall = (instance: Instance, method: string, path: string, body?: unknown) =>
  callJson(instance.url, method, path, body, { token: ALICE });

describe("sign out everywhere", () => {
  test("ends bob's sessions made on A and on B, on both, at once; alice keeps hers; a later instance knows", async () => {
    const [onA, onB, alice] = [await signIn(a, BOB), await signIn(b, BOB), await signIn(b, ALICE)];
    for (const instance of [a, b])
      expect([await status(instance, onA), await status(instance, onB)]).toEqual([200, 200]);
    expect((await adminCall(a, "POST", "/api/admin/sign-outs", { user: "bob" })).status).toBe(200);
    for (const instance of [a, b])
      expect(
        await eventually(async () => (await status(instance, onA)) === 401 && (await status(instance, onB)) === 401),
      ).toBe(true);
    expect(await status(a, alice)).toBe(200);
    const c = await cluster.start("c");
    expect([await status(c, onA), await status(c, onB), await status(c, alice)]).toEqual([401, 401, 200]);
    expect(await status(c, await signIn(c, BOB))).toBe(200);
  });
});

describe("running generations", () => {
  test("A lists what B runs, and Stop on A ends it on B, where its viewer gets done(cancelled)", async () => {
    const id = await startAnswer(b, "/sim tps=10 tokens=400\nlong answer", BOB);
    const watching = readStream(`${b.url}/api/streams/${id}`, { headers: bearer(BOB), timeoutMs: 15_000 });
    const listed = await adminCall(a, "GET", "/api/admin/generations");
    expect(listed.json.generations).toContainEqual(expect.objectContaining({ id, owner: "bob", instance: "b" }));
    const stopped = await adminCall(a, "DELETE", `/api/admin/generations/${id}`);
    expect(stopped.status).toBe(200);
    const read = await watching;
    expect(read.events.at(-1)?.event).toBe("done");
    expect(JSON.parse(read.events.at(-1)?.data ?? "{}").finish_reason).toBe("cancelled");
    expect(await eventually(async () => !(await adminCall(a, "GET", "/api/admin/generations")).text.includes(id))).toBe(
      true,
    );
    const audit = await adminCall(b, "GET", "/api/admin/audit");
    expect(audit.json.entries[0]).toMatchObject({ actor: "alice", action: "stop_generation", target: "bob" });
    expect(audit.json.entries[0].details).toMatchObject({ id, instance: "b" });
  });
});
