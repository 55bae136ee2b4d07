/**
 * Smoke: 500 streams open at once through nginx all complete, with no error anywhere. Each stream
 * is two connections in nginx and two in the app, well inside the open-file limits.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { spawn } from "bun";
import { withFetchCap } from "../../harness/stack/fetch-cap.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { type AccessLogEntry, accessLogOnce } from "./access-log.ts";
import type { ManyStreamsSummary } from "./many-streams.ts";

const STREAMS = 500;
// 20 tokens at 5 per second: each stream stays open about 4 s, so all 500 overlap.
const PACING = { tokens: 20, tps: 5 };
const CLIENT_TIMEOUT_MS = 120_000;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 60_000);

afterAll(() => stack?.stop(), 30_000);

/** Runs many-streams.ts in its own process, with Bun's fetch allowed enough requests at once. */
async function runClient(): Promise<ManyStreamsSummary> {
  const script = new URL("./many-streams.ts", import.meta.url).pathname;
  const args = [stack.url, String(STREAMS), String(PACING.tokens), String(PACING.tps)];
  const child = spawn([process.execPath, script, ...args], {
    env: withFetchCap(process.env),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), CLIENT_TIMEOUT_MS);
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`many-streams.ts exited with ${code}:\n${err}${out}`);
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as ManyStreamsSummary;
}

test(
  `${STREAMS} concurrent streams through nginx complete without errors`,
  async () => {
    const summary = await runClient();
    expect(summary.failures).toEqual([]);
    expect(summary.completed).toBe(STREAMS);
    // They really were open together, not one batch after another.
    expect(summary.peakOpen).toBeGreaterThanOrEqual(STREAMS * 0.9);

    const isStream = (entry: AccessLogEntry) => entry.path.startsWith("/api/streams/");
    const logged = await accessLogOnce(stack.accessLogPath, (log) => log.filter(isStream).length >= STREAMS);
    const streams = logged.filter(isStream);
    expect(streams).toHaveLength(STREAMS);
    expect(streams.filter((entry) => entry.status !== 200)).toEqual([]);
    // nginx logs nothing at level error or worse (e.g. "worker_connections are not enough").
    const errors = readFileSync(stack.prefix.errorLogPath, "utf8")
      .split("\n")
      .filter((line) => /\[(error|crit|alert|emerg)\]/.test(line));
    expect(errors).toEqual([]);
    console.log(`${STREAMS} streams through nginx: ${JSON.stringify({ ...summary, failures: undefined })}`);
  },
  CLIENT_TIMEOUT_MS + 10_000,
);
