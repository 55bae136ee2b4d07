/**
 * Smoke run of every load scenario against the native stack (simulator → app → nginx), briefly:
 * each must exit 0 (all thresholds met) with the counters that prove what it checks.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startToolServer, type ToolServer, writeServersFile } from "../../harness/tool-server.ts";
import { type LoadStack, scenarioEnv, startLoadStack } from "../../loadtest/bench/load-stack.ts";
import { runLoadScenario, type ScenarioRun } from "../../loadtest/bench/run-scenario.ts";

let loadStack: LoadStack;
let tools: ToolServer;

beforeAll(async () => {
  tools = startToolServer();
  // A short grace keeps the disconnect check quick; reconnects (100 ms) still come back well within it.
  loadStack = await startLoadStack({
    CANCEL_GRACE_MS: "1000",
    MCP_SERVERS_FILE: writeServersFile([{ name: "tests", url: tools.url, tools: "*" }]),
  });
}, 90_000);

afterAll(async () => {
  await loadStack?.stack.stop();
  await tools?.stop();
}, 60_000);

/** Runs a scenario; its output is printed only when it exits other than `expectedExit`. */
async function runScenario(name: string, env: Record<string, string>, expectedExit = 0): Promise<ScenarioRun> {
  const lines: string[] = [];
  // A smoke run checks what the scenarios count, not the machine's speed: the goodput targets are
  // generous here (a busy test machine misses the benchmarks' own by tens of ms); the benchmarks keep theirs.
  const generous = { TARGET_TTFT_MS: "5000", TARGET_ITL_MS: "3000", ...env };
  const run = await runLoadScenario(name, scenarioEnv(loadStack, generous), loadStack.pids, {
    onLine: (line) => lines.push(line),
  });
  if (run.exitCode !== expectedExit) console.error(lines.join("\n"));
  return run;
}

const count = (run: ScenarioRun, metric: string, key = "count") => run.summary?.metrics[metric]?.values[key];

describe("load scenarios through nginx + Sluice", () => {
  test("disconnect: every client that left is cancelled upstream, and counted by Sluice", async () => {
    const run = await runScenario("disconnect", { CLIENTS: "20", CANCEL_GRACE_MS: "1000" });
    expect(run.exitCode).toBe(0);
    expect(count(run, "sluice_clients_left")).toBe(20);
    expect(count(run, "sluice_sim_cancelled")).toBe(20);
    expect(count(run, "sluice_upstream_cancelled_disconnect")).toBe(20);
    expect(count(run, "sluice_disconnect_aborted", "passes")).toBe(20);
  }, 120_000);

  test("tools: every answer runs its tool steps and ends with its text", async () => {
    const run = await runScenario("tools", { VUS: "4", DURATION_S: "3", STEPS: "2" });
    expect(run.exitCode).toBe(0);
    const answers = count(run, "sluice_tool_answer") ?? 0;
    expect(answers).toBeGreaterThan(0);
    expect(count(run, "sluice_tool_steps")).toBe(2 * answers);
    expect(count(run, "sluice_app_cpu_per_step")).toBe(1);
  }, 120_000);

  test("ttft: chats at a steady rate, all tokens received", async () => {
    const run = await runScenario("ttft", { RATE: "5", DURATION_S: "5" });
    expect(run.exitCode).toBe(0);
    expect(count(run, "sluice_ttft")).toBe(25);
    expect(count(run, "sluice_tokens")).toBe(25 * 32);
    expect(count(run, "sluice_itl")).toBe(25 * 31);
  }, 120_000);

  test("streams: ramps to the target and holds it without errors", async () => {
    const run = await runScenario("streams", { STREAMS: "200", RAMP_S: "4", HOLD_S: "4", TOKENS: "10", SIM_TPS: "2" });
    expect(run.exitCode).toBe(0);
    expect(count(run, "sluice_streams_open", "max")).toBe(200);
    expect(count(run, "sluice_errors")).toBe(0);
  }, 120_000);

  test("resume: reconnecting with Last-Event-ID loses and repeats no token", async () => {
    const run = await runScenario("resume", { CLIENTS: "20" });
    expect(run.exitCode).toBe(0);
    expect(count(run, "sluice_tokens_complete", "passes")).toBe(20);
    expect(count(run, "sluice_resume_reconnect")).toBe(40);
    expect(count(run, "sluice_resume_lost")).toBe(0);
    expect(count(run, "sluice_resume_repeated")).toBe(0);
  }, 120_000);

  test("stop: every stopped stream ends cancelled and the simulator sees the abort", async () => {
    const run = await runScenario("stop", { CLIENTS: "20" });
    expect(run.exitCode).toBe(0);
    expect(count(run, "sluice_stop_cancelled", "passes")).toBe(20);
    expect(count(run, "sluice_stop_aborted", "passes")).toBe(20);
    expect(count(run, "sluice_stop_to_abort")).toBe(20);
  }, 120_000);

  for (const scenario of ["direct", "gateway", "chat", "responses", "ui-chat"]) {
    test(`${scenario}: ten users for a few seconds, every token counted`, async () => {
      const run = await runScenario(scenario, { VUS: "10", DURATION_S: "4", TOKENS: "20" });
      expect(run.exitCode).toBe(0);
      const requests = count(run, "sluice_iterations") ?? 0;
      expect(requests).toBeGreaterThanOrEqual(10);
      expect(count(run, "sluice_tokens_complete", "passes")).toBe(requests);
      expect(count(run, "sluice_tokens")).toBe(requests * 20);
    }, 120_000);
  }

  test("a threshold that is not met fails the run with exit code 99", async () => {
    const run = await runScenario("ttft", { RATE: "2", DURATION_S: "1", THRESHOLD_TTFT_P95_MS: "1" }, 99);
    expect(run.exitCode).toBe(99);
    expect(run.summary?.passed).toBe(false);
  }, 60_000);
});
