/**
 * Several instances behind the shipped nginx: requests spread over them, any instance serves any
 * stream, and a POST that may have reached an instance is never sent to a second one.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { startChat } from "../../harness/client/chat.ts";
import { readStream } from "../../harness/client/stream.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { type AccessLogEntry, accessLogOnce } from "../e2e/access-log.ts";
import { startPatchedNginx } from "../e2e/patched-nginx.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    instances: 2,
    redis: true,
    postgres: true,
    env: { SIM_TTFT_MS: "20", SIM_TOKENS_PER_SECOND: "100", CANCEL_GRACE_MS: "2000" },
  });
});
afterAll(() => stack?.stop());

/** POST /api/chat through `base`, whatever its answer: the status. */
const post = async (base: string, content: string) =>
  (await callJson(base, "POST", "/api/chat", { messages: [{ role: "user", content }] })).status;

describe("two instances behind nginx", () => {
  test("requests spread over both, and every stream completes whichever instance nginx picks", async () => {
    const reads = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        const { url } = await startChat(stack.url, `/sim tokens=20\nquestion ${index}`);
        // Read on a new connection: nginx may hand the GET to the other instance.
        return readStream(url);
      }),
    );
    for (const read of reads) expect(read.events.at(-1)?.event).toBe("done");
    const streamsIn = (log: AccessLogEntry[]) => log.filter((entry) => entry.path.startsWith("/api/streams/")).length;
    const logged = await accessLogOnce(stack.accessLogPath, (log) => streamsIn(log) >= reads.length);
    const served = new Set(logged.map((entry) => entry.upstream_addr));
    for (const app of stack.apps) expect(served).toContain(new URL(app.url).host);
  });

  test("Stop through nginx ends the answer wherever it runs", async () => {
    const { url } = await startChat(stack.url, "/sim tps=20 tokens=400\nlong");
    for (let attempt = 0; attempt < 4; attempt++) {
      const stop = await fetch(url, { method: "DELETE" });
      expect(stop.status).toBe(200);
    }
    const read = await readStream(url);
    expect(JSON.parse(read.events.at(-1)?.data ?? "{}").finish_reason).toBe("cancelled");
  });
});

/**
 * An instance that takes a request and dies before answering: a TCP server that reads the
 * request and closes the connection. It counts the POSTs it received.
 */
function dyingInstance(): { port: number; posts: () => number; stop: () => void } {
  let posts = 0;
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket, data) {
        if (data.toString().startsWith("POST ")) posts++;
        socket.end();
      },
    },
  });
  return { port: server.port, posts: () => posts, stop: () => server.stop(true) };
}

/** The shipped nginx before `upstreams`, its retry policy replaced by `policy` when given. */
const nginxBefore = (upstreams: string[], policy?: string) =>
  startPatchedNginx(upstreams, {
    proxy: policy ? (text) => text.replace(/^proxy_next_upstream .*;$/m, `proxy_next_upstream ${policy};`) : undefined,
  });

async function postsThrough(policy?: string) {
  const dying = dyingInstance();
  const proxy = await nginxBefore([`127.0.0.1:${dying.port}`, new URL(stack.appUrl).host], policy);
  const statuses: number[] = [];
  for (let index = 0; index < 10; index++) {
    statuses.push(await post(proxy.url, `/sim tokens=2\npost ${index}`));
  }
  await proxy.stop();
  dying.stop();
  return { statuses, reachedTheDyingOne: dying.posts() };
}

describe("a POST is never sent to a second instance", () => {
  test("one the dying instance received fails (502) instead of starting a second answer elsewhere", async () => {
    const { statuses, reachedTheDyingOne } = await postsThrough();
    expect(reachedTheDyingOne).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 502).length).toBe(reachedTheDyingOne);
    expect(statuses.filter((status) => status === 202).length).toBe(10 - reachedTheDyingOne);
  });

  test("negative control: with non_idempotent in the policy, nginx sends the same POST on", async () => {
    const { statuses, reachedTheDyingOne } = await postsThrough("error timeout http_503 non_idempotent");
    expect(reachedTheDyingOne).toBeGreaterThan(0);
    // Every POST got a 202, including those the dying instance had taken: they were sent twice.
    expect(statuses.every((status) => status === 202)).toBe(true);
  });
});
