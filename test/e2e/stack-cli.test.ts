/**
 * `npm run stack` (scripts/stack/main.ts) as a user runs it: it announces the three addresses, serves
 * chats through nginx, and on SIGTERM stops every process it started.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "bun";
import { startChat } from "../../harness/client/chat.ts";
import { paced } from "../../harness/client/sim-prompt.ts";
import { readStream } from "../../harness/client/stream.ts";
import { freePort } from "../../harness/stack/free-port.ts";
import { freshDataDir, runtime, type Started, startProcess } from "../../harness/stack/spawn.ts";

const ports = { STACK_PORT: freePort(), APP_PORT: freePort(), SIM_PORT: freePort() };
let stack: Started;

/** Pids of the children of `pid`. */
function children(pid: number): number[] {
  const out = spawnSync(["ps", "-o", "pid=", "--ppid", String(pid)]).stdout.toString();
  return out
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((child) => child > 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  const env = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)]));
  // The stack itself always runs on Bun (package.json: "stack": "bun scripts/stack/main.ts"); the app
  // inside it follows SLUICE_RUNTIME.
  stack = await startProcess("scripts/stack/main.ts", { ...env, DATA_DIR: freshDataDir() }, "bun", 60_000);
}, 70_000);

afterAll(() => stack?.stop(), 30_000);

test("announces nginx, the app and the simulator on the chosen ports", () => {
  expect(stack.url).toBe(`http://127.0.0.1:${ports.STACK_PORT}`);
  const output = stack.output();
  expect(output).toContain(`app        http://127.0.0.1:${ports.APP_PORT}`);
  expect(output).toContain(`upstream   http://127.0.0.1:${ports.SIM_PORT}/v1`);
  expect(output).toContain(`Sluice stack (${runtime}, nginx production)`);
});

test("serves a chat through nginx, with the app on the simulator", async () => {
  const ready = await (await fetch(`${stack.url}/readyz`)).json();
  // Readiness says which kind of model answers, never where it lives (an internal address).
  expect(ready).toMatchObject({ status: "ready", upstream: "upstream", model: "demo" });
  expect(JSON.stringify(ready)).not.toContain(String(ports.SIM_PORT));
  const stream = await readStream((await startChat(stack.url, paced(5, 50))).url, { timeoutMs: 15_000 });
  expect(stream.events.filter((event) => event.event === "token")).toHaveLength(5);
  expect(stream.events.at(-1)?.event).toBe("done");
}, 30_000);

test("SIGTERM stops every process of the stack, nginx's workers included", async () => {
  const started = children(stack.process.pid);
  const workers = started.flatMap(children);
  expect(started).toHaveLength(3);
  expect(workers.length).toBeGreaterThan(0);
  await stack.stop();
  expect(stack.process.exitCode).toBe(0);
  expect(stack.output()).toContain("Sluice stack: stopped");
  expect([...started, ...workers].filter(alive)).toEqual([]);
}, 30_000);
