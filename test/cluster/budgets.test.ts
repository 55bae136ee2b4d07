/**
 * Token budgets across instances: the ledger is in the shared PostgreSQL, so what alice spends
 * through A counts on B, and B refuses her at the limit (within a flush and a reading, about 2 s),
 * while bob, on the same instances, is still served; B's report holds what A counted.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { pollUntil } from "../../harness/client/poll.ts";
import { readStream } from "../../harness/client/stream.ts";
import { ALICE, BOB, type Cluster, type Instance, startCluster } from "./instances.ts";

let a: Instance;
let b: Instance;
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ LIMIT_USER_TOKENS_PER_DAY: "100", SIM_TOKENS_PER_SECOND: "1000" });
  [a, b] = await Promise.all([cluster.start("a"), cluster.start("b")]);
});
afterAll(() => cluster?.stop());

const ask = (instance: Instance, token: string, content: string) =>
  callJson(instance.url, "POST", "/api/chat", { messages: [{ role: "user", content }] }, { token });

test("alice's tokens spent through A refuse her on B at the limit; bob is still served", async () => {
  // Before: B admits her (the refusal below is the budget's, not B's).
  const first = await ask(b, ALICE, "/sim tokens=5\nhello");
  expect(first.status).toBe(202);
  const started = await ask(a, ALICE, "/sim tokens=120\na long one");
  expect(started.status).toBe(202);
  const read = await readStream(`${a.url}${started.json.streamUrl}`, { token: ALICE, timeoutMs: 10_000 });
  expect(JSON.parse(read.events.at(-1)?.data ?? "{}").finish_reason).toBe("stop");
  expect((await ask(a, ALICE, "again")).status).toBe(429);
  const onB = await pollUntil(
    () => ask(b, ALICE, "/sim tokens=5\non B"),
    (answer) => answer.status === 429,
    6_000,
    200,
  );
  expect(onB.status).toBe(429);
  expect(onB.json.error).toMatchObject({ code: "budget_exceeded", budget: "day", limit: 100 });
  expect(Number(onB.headers.get("retry-after"))).toBeGreaterThan(0);
  // B's report holds what A counted.
  const report = (await callJson(b.url, "GET", "/api/usage", undefined, { token: ALICE })).json;
  expect(report.total.completion_tokens).toBeGreaterThanOrEqual(125);
  expect(report.budget.day.used).toBeGreaterThanOrEqual(125);
  // Bob's budget is his own, on both.
  expect((await ask(a, BOB, "hi")).status).toBe(202);
  expect((await ask(b, BOB, "hi")).status).toBe(202);
}, 30_000);

test("the negative control: instances with a database each (no shared ledger) do not agree", async () => {
  const [c, d] = await Promise.all([
    cluster.start("c", { DATABASE_URL: "" }),
    cluster.start("d", { DATABASE_URL: "" }),
  ]);
  const started = await ask(c, BOB, "/sim tokens=120\na long one");
  await readStream(`${c.url}${started.json.streamUrl}`, { token: BOB, timeoutMs: 10_000 });
  expect((await ask(c, BOB, "again")).status).toBe(429);
  // Past the time B needed above, D still knows nothing of it.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect((await ask(d, BOB, "/sim tokens=5\non D")).status).toBe(202);
}, 30_000);
