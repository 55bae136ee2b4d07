/**
 * The store's fair queue on its own: users take turns, each with a bounded queue and a cap on
 * the slots they hold; the server's own work is never refused.
 */
import { expect, test } from "bun:test";
import { FairQueue, SERVER_WORK, StoreBusyError } from "../../src/conversations/fair-queue.ts";

/** A call that records when it ran and ends when told. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

test("users take turns: one user's flood delays another's call by one of its calls, not by the flood", async () => {
  const queue = new FairQueue({ concurrency: 1, perUser: 1, queuedPerUser: 100 });
  const order: string[] = [];
  const call = (user: string, label: string) => queue.run(user, async () => void order.push(label));
  const flood = Array.from({ length: 20 }, (_, i) => call("bob", `bob${i}`));
  const alice = call("alice", "alice");
  await Promise.all([...flood, alice]);
  expect(order.indexOf("alice")).toBeLessThanOrEqual(1);
  // The control: with one key for everyone (fairness off), the same call waits for the whole flood.
  const fifo: string[] = [];
  const shared = new FairQueue({ concurrency: 1, perUser: 1, queuedPerUser: 100 });
  const all = Array.from({ length: 20 }, (_, i) => shared.run(SERVER_WORK, async () => void fifo.push(`bob${i}`)));
  await Promise.all([...all, shared.run(SERVER_WORK, async () => void fifo.push("alice"))]);
  expect(fifo.indexOf("alice")).toBe(20);
});

test("a user with a full queue is refused at once with 429 store_busy; others and the server's work are not", async () => {
  const rejected: string[] = [];
  const queue = new FairQueue({ concurrency: 1, perUser: 1, queuedPerUser: 2 }, (reason) => rejected.push(reason));
  const hold = gate();
  const running = queue.run("bob", () => hold.opened);
  const waiting = [queue.run("bob", async () => 1), queue.run("bob", async () => 2)];
  const refused = await queue.run("bob", async () => 3).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(StoreBusyError);
  expect(refused).toMatchObject({ status: 429, code: "store_busy", retryAfterSeconds: 1 });
  expect(rejected).toEqual(["store_busy"]);
  const alice = queue.run("alice", async () => "alice");
  const forced = queue.run("bob", async () => "must run", true);
  hold.open();
  expect(await Promise.all([running, ...waiting, alice, forced])).toEqual([undefined, 1, 2, "alice", "must run"]);
});

test("a user holds at most perUser slots; the rest go to others", async () => {
  const queue = new FairQueue({ concurrency: 4, perUser: 2, queuedPerUser: 100 });
  let bobRunning = 0;
  let bobMost = 0;
  const hold = gate();
  const bob = Array.from({ length: 6 }, () =>
    queue.run("bob", async () => {
      bobRunning++;
      bobMost = Math.max(bobMost, bobRunning);
      await hold.opened;
      bobRunning--;
    }),
  );
  // Bob holds two slots and waits for them; alice gets one of the two left at once.
  expect(await queue.run("alice", async () => "at once")).toBe("at once");
  hold.open();
  await Promise.all(bob);
  expect(bobMost).toBe(2);
});

test("a failing call gives its slot back and fails only its caller", async () => {
  const queue = new FairQueue({ concurrency: 1, perUser: 1, queuedPerUser: 10 });
  const failed = queue.run("bob", async () => {
    throw new Error("disk on fire");
  });
  const next = queue.run("bob", async () => "next");
  expect(await failed.catch((error: Error) => error.message)).toBe("disk on fire");
  expect(await next).toBe("next");
  expect(queue.waiting).toBe(0);
});
