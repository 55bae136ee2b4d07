import { describe, expect, test } from "bun:test";
import { DeathWatch, type InstanceLease } from "../../src/cluster/instance-lease.ts";
import { type OwnerLink, RemoteGeneration } from "../../src/cluster/remote-generation.ts";
import type { CancelReason } from "../../src/contract.ts";

function recordingLink() {
  const calls: string[] = [];
  const link: OwnerLink = {
    viewing: (generation, watching) => calls.push(`${generation.instance}:${watching ? "view" : "leave"}`),
    stop: (generation, reason: CancelReason) => calls.push(`${generation.instance}:stop:${reason}`),
  };
  return { calls, link };
}

const token = (id: number, text = `t${id}`) => ({ id, type: "token" as const, text });

describe("a generation followed from another instance", () => {
  test("takes events in order, skips repeats, and reports a gap", () => {
    const view = new RemoteGeneration("g", "alice", "a", recordingLink().link);
    expect(view.receive(token(1))).toBe(true);
    expect(view.receive(token(1))).toBe(true);
    expect(view.receive(token(3))).toBe(false);
    expect(view.receive(token(2))).toBe(true);
    expect(view.log.length).toBe(2);
    expect(view.log.text()).toBe("t1t2");
  });

  test("ends with the owner's end event, and settles with the text", async () => {
    const view = new RemoteGeneration("g", "alice", "a", recordingLink().link);
    view.receive(token(1, "Hi"));
    const end = {
      id: 2,
      type: "done" as const,
      finish_reason: "stop" as const,
      usage: { prompt_tokens: 0, completion_tokens: 1, total_tokens: 1 },
      timings: { ttft_ms: 1, total_ms: 2 },
    };
    view.receive(end);
    expect(view.ended && view.closed).toBe(true);
    expect(await view.settled).toEqual({ text: "Hi", end });
  });

  test("fail() ends it with an error event carrying the next id", () => {
    const view = new RemoteGeneration("g", "alice", "a", recordingLink().link);
    view.receive(token(1));
    view.fail({ code: "interrupted", message: "gone", retryable: true });
    expect(view.log.at(1)).toEqual({ id: 2, type: "error", code: "interrupted", message: "gone", retryable: true });
    // Later events from a stale feed change nothing.
    view.receive(token(2));
    expect(view.log.length).toBe(2);
  });

  test("lose() closes it for its viewers without an end, so they reconnect and resume", () => {
    const view = new RemoteGeneration("g", "alice", "a", recordingLink().link);
    let heard = 0;
    view.onEvent({ eventsRecorded: () => heard++ });
    view.receive(token(1));
    view.lose();
    expect(view.closed).toBe(true);
    expect(view.ended).toBe(false);
    expect(view.log.length).toBe(1);
    expect(heard).toBe(2);
  });

  test("tells the owner of its first viewer and its last leaving, once each, and sends Stop", () => {
    const { calls, link } = recordingLink();
    const view = new RemoteGeneration("g", "alice", "a", link);
    let idle = 0;
    view.onIdle = () => idle++;
    const first = view.attach();
    const second = view.attach();
    first.release();
    first.release();
    expect(calls).toEqual(["a:view"]);
    second.release();
    expect(calls).toEqual(["a:view", "a:leave"]);
    expect(idle).toBe(1);
    view.cancel("stop");
    expect(calls.at(-1)).toBe("a:stop:stop");
  });
});

describe("catching up with what a client read from the owner", () => {
  test("reach() waits for the event a resume names, and gives up after its time", async () => {
    const view = new RemoteGeneration("g", "alice", "a", recordingLink().link);
    view.receive(token(1));
    const waiting = view.reach(2, 5_000);
    let reached = false;
    void waiting.then(() => {
      reached = true;
    });
    await Bun.sleep(10);
    expect(reached).toBe(false);
    view.receive(token(2));
    await waiting;
    expect(view.log.length).toBe(2);
    const started = performance.now();
    await view.reach(5, 50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(view.log.length).toBe(2);
  });
});

describe("DeathWatch", () => {
  function leaseWith(alive: Set<string>) {
    return {
      alive: async (names: Iterable<string>) => new Set([...names].filter((name) => alive.has(name))),
    } as unknown as InstanceLease;
  }

  test("calls an instance dead only once its lease has been missing for the confirmation time", async () => {
    const alive = new Set(["b"]);
    const watch = new DeathWatch(leaseWith(alive), 1_000);
    expect(await watch.dead(["a", "b"], 0)).toEqual(new Set());
    expect(await watch.dead(["a", "b"], 999)).toEqual(new Set());
    expect(await watch.dead(["a", "b"], 1_000)).toEqual(new Set(["a"]));
  });

  test("a lease that comes back (a Redis restart, a late renewal) starts the count again", async () => {
    const alive = new Set<string>();
    const watch = new DeathWatch(leaseWith(alive), 1_000);
    await watch.dead(["a"], 0);
    alive.add("a");
    expect(await watch.dead(["a"], 500)).toEqual(new Set());
    alive.delete("a");
    expect(await watch.dead(["a"], 1_200)).toEqual(new Set());
    expect(await watch.dead(["a"], 2_200)).toEqual(new Set(["a"]));
  });
});
