import { afterEach, expect, test } from "bun:test";
import type { UpstreamTimeoutError } from "../../src/upstream/errors.ts";
import { TokenWatchdog } from "../../src/upstream/timeouts.ts";

/** A call that records its timeout. */
function timedCall() {
  const call = {
    error: undefined as UpstreamTimeoutError | undefined,
    fired: 0,
    timedOut(error: UpstreamTimeoutError) {
      call.error = error;
      call.fired++;
    },
  };
  return call;
}

const running: TokenWatchdog[] = [];

function watchdog(firstTokenMs: number, interTokenMs: number, call = timedCall()) {
  const dog = new TokenWatchdog({ firstTokenMs, interTokenMs }, call);
  running.push(dog);
  return { dog, call };
}

afterEach(() => {
  for (const dog of running.splice(0)) dog.stop();
});

test("no first token within its limit: one timeout, named first token", async () => {
  const { call } = watchdog(80, 10_000);
  await Bun.sleep(40);
  expect(call.fired).toBe(0);
  await Bun.sleep(120);
  expect(call.fired).toBe(1);
  expect(call.error?.message).toContain("first token");
  await Bun.sleep(60);
  expect(call.fired).toBe(1);
});

test("tokens in time keep it quiet; a gap past the inter-token limit times out as next token", async () => {
  const { dog, call } = watchdog(10_000, 80);
  for (let i = 0; i < 6; i++) {
    await Bun.sleep(30);
    dog.token();
  }
  expect(call.fired).toBe(0);
  await Bun.sleep(160);
  expect(call.fired).toBe(1);
  expect(call.error?.message).toContain("next token");
});

test("resting (tools run) fires nothing; a restart times the first token again", async () => {
  const { dog, call } = watchdog(60, 60);
  dog.rest();
  await Bun.sleep(150);
  expect(call.fired).toBe(0);
  dog.restart();
  await Bun.sleep(30);
  expect(call.fired).toBe(0);
  await Bun.sleep(120);
  expect(call.fired).toBe(1);
  expect(call.error?.message).toContain("first token");
});

test("a stopped watchdog never fires", async () => {
  const { dog, call } = watchdog(30, 30);
  dog.stop();
  await Bun.sleep(100);
  expect(call.fired).toBe(0);
});

/** Counts the calls of `globalThis[name]` while `run` runs. */
function timersArmedBy(names: ("setTimeout" | "setInterval")[], run: () => void): number {
  let armed = 0;
  const real = names.map((name) => [name, globalThis[name]] as const);
  for (const [name, timer] of real)
    (globalThis as Record<string, unknown>)[name] = (...args: unknown[]) => {
      armed++;
      return (timer as (...args: unknown[]) => unknown)(...args);
    };
  try {
    run();
  } finally {
    for (const [name, timer] of real) (globalThis as Record<string, unknown>)[name] = timer;
  }
  return armed;
}

test("a thousand running calls share one timer: none is armed per call or per token", () => {
  const armed = timersArmedBy(["setTimeout", "setInterval"], () => {
    for (let i = 0; i < 1_000; i++) watchdog(60_000, 60_000).dog.token();
  });
  expect(armed).toBeLessThanOrEqual(1);
});
