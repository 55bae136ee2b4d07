/**
 * nginx balanced by user (SLUICE_BALANCE "hash $sluice_affinity consistent"): a user's POST and
 * the GET of its stream reach the same instance, so the viewer reads the answer from the memory of
 * the instance that runs it instead of following it through Redis, and different users still
 * spread over the instances. The negative control is the default, least_conn: the same requests
 * then send some viewers to the other instance.
 */
import { afterAll, expect, test } from "bun:test";
import { startChat } from "../../harness/client/chat.ts";
import { readStream } from "../../harness/client/stream.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { tokenUsers } from "../../harness/stack/token-users.ts";
import { type AccessLogEntry, accessLogOnce } from "../e2e/access-log.ts";

const { users: USERS, env: USERS_ENV } = tokenUsers(16, "affinity-test");

const stacks: Stack[] = [];
afterAll(() => Promise.all(stacks.map((stack) => stack.stop())));

async function twoInstances(balance: "users" | "connections"): Promise<Stack> {
  const stack = await startStack({
    instances: 2,
    redis: true,
    balance,
    env: {
      ...USERS_ENV,
      SIM_TTFT_MS: "20",
      SIM_TOKENS_PER_SECOND: "200",
    },
  });
  stacks.push(stack);
  return stack;
}

/** For each user in turn, an answer started and read through nginx: the instances of its POST and its GET. */
async function postAndViewer(stack: Stack): Promise<{ post: string; view: string }[]> {
  const pairs = [];
  for (const [index, user] of USERS.entries()) {
    const { url, streamUrl } = await startChat(stack.url, "/sim tokens=5\nwhere am I served?", { token: user.token });
    const read = await readStream(url, { token: user.token });
    expect(read.events.at(-1)?.event).toBe("done");
    // One user at a time: this user's POST is the log's POST number `index`.
    const posts = (log: AccessLogEntry[]) =>
      log.filter((entry) => entry.method === "POST" && entry.path === "/api/chat");
    const log = await accessLogOnce(
      stack.accessLogPath,
      (entries) => posts(entries).length > index && entries.some((entry) => entry.path === streamUrl),
    );
    const post = posts(log)[index];
    const view = log.find((entry) => entry.method === "GET" && entry.path === streamUrl);
    pairs.push({ post: post?.upstream_addr ?? "none", view: view?.upstream_addr ?? "none" });
  }
  return pairs;
}

test("balanced by user: each viewer reaches the instance running its answer, and users spread", async () => {
  const pairs = await postAndViewer(await twoInstances("users"));
  expect(pairs.filter((pair) => pair.post !== pair.view)).toEqual([]);
  // 16 users on two instances: all on one would be a chance of 1 in 32,768.
  expect(new Set(pairs.map((pair) => pair.post)).size).toBe(2);
}, 60_000);

test("negative control: by open connections, some viewers reach the other instance", async () => {
  const pairs = await postAndViewer(await twoInstances("connections"));
  expect(pairs.filter((pair) => pair.post !== pair.view).length).toBeGreaterThan(0);
}, 60_000);
