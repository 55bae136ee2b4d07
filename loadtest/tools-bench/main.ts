/**
 * What a tool step costs: the `tools` scenario run side by side with and without tool calls
 * (STEPS rounds of the `fast` tool, then the same text; STEPS=0, the same text alone), through the
 * native stack (nginx, the app with its own simulator, the test tool server), ROUNDS times in
 * alternation. A step's cost is the app's CPU per answer with steps, less without, divided by
 * STEPS; the latency figures are the scenario's, per step. Results go to
 * loadtest/results/tools-<date>.{json,md}.
 *
 *   bun loadtest/tools-bench/main.ts                       # ROUNDS=3 STEPS=3 VUS=10 DURATION_S=10
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { describeEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { median } from "../../harness/measure/percentile.ts";
import { startToolServer, writeServersFile } from "../../harness/tool-server.ts";
import { scenarioEnv, startLoadStack } from "../bench/load-stack.ts";
import { runLoadScenario, type ScenarioRun } from "../bench/run-scenario.ts";
import { numberSetting } from "../lib/settings.ts";

// Pairs of runs (without tools, then with), alternated so a busier moment affects both alike
const ROUNDS = numberSetting("ROUNDS", 3);
// Rounds of tool calls per answer in the runs with tools
const STEPS = numberSetting("STEPS", 3);
// Concurrent users and seconds per run
const VUS = numberSetting("VUS", 10);
const DURATION_S = numberSetting("DURATION_S", 10);

const root = new URL("../../", import.meta.url).pathname;

interface Figures {
  steps: number;
  answers: number;
  appCpuMsPerAnswer: number;
  toolCallP50Ms: number | undefined;
  toolCallP95Ms: number | undefined;
  nextTurnP50Ms: number | undefined;
  answerP50Ms: number | undefined;
}

function figuresOf(run: ScenarioRun, steps: number): Figures {
  const metric = (name: string, key: string) => run.summary?.metrics[name]?.values[key];
  if (run.exitCode !== 0) throw new Error(`tools STEPS=${steps} exited ${run.exitCode}`);
  const answers = metric("sluice_tool_answer", "count") ?? 0;
  return {
    steps,
    answers,
    appCpuMsPerAnswer: run.cpu.app / 1000 / Math.max(1, answers),
    toolCallP50Ms: metric("sluice_tool_call", "med"),
    toolCallP95Ms: metric("sluice_tool_call", "p(95)"),
    nextTurnP50Ms: metric("sluice_tool_next_turn", "med"),
    answerP50Ms: metric("sluice_tool_answer", "med"),
  };
}

const round = (value: number | undefined) => (value === undefined ? "–" : value.toFixed(2));

async function main(): Promise<void> {
  const tools = startToolServer();
  const loadStack = await startLoadStack({
    MCP_SERVERS_FILE: writeServersFile([{ name: "tests", url: tools.url, tools: "*" }]),
  });
  const pairs: { without: Figures; with: Figures; cpuMsPerStep: number }[] = [];
  try {
    for (let index = 0; index < ROUNDS; index++) {
      const run = (steps: number) =>
        runLoadScenario(
          "tools",
          scenarioEnv(loadStack, { STEPS: String(steps), VUS: String(VUS), DURATION_S: String(DURATION_S) }),
          loadStack.pids,
        );
      const without = figuresOf(await run(0), 0);
      const withSteps = figuresOf(await run(STEPS), STEPS);
      const cpuMsPerStep = (withSteps.appCpuMsPerAnswer - without.appCpuMsPerAnswer) / STEPS;
      pairs.push({ without, with: withSteps, cpuMsPerStep });
      console.log(
        `round ${index + 1}: app CPU per answer ${round(without.appCpuMsPerAnswer)} ms without tools, ` +
          `${round(withSteps.appCpuMsPerAnswer)} ms with ${STEPS} steps: ${round(cpuMsPerStep)} ms per step; ` +
          `tool call p50 ${round(withSteps.toolCallP50Ms)} ms, next turn p50 ${round(withSteps.nextTurnP50Ms)} ms`,
      );
    }
  } finally {
    await loadStack.stack.stop();
    await tools.stop();
  }
  const environment = describeEnvironment(root);
  const summary = {
    settings: { ROUNDS, STEPS, VUS, DURATION_S },
    cpuMsPerStepMedian: median(pairs.map((pair) => pair.cpuMsPerStep)),
    toolCallP50MsMedian: median(pairs.map((pair) => pair.with.toolCallP50Ms ?? 0)),
    nextTurnP50MsMedian: median(pairs.map((pair) => pair.with.nextTurnP50Ms ?? 0)),
    pairs,
    environment,
  };
  const date = new Date().toISOString().slice(0, 10);
  mkdirSync(`${root}loadtest/results`, { recursive: true });
  writeFileSync(`${root}loadtest/results/tools-${date}.json`, `${JSON.stringify(summary, null, 2)}\n`);
  const rows = pairs.map(
    (pair, index) =>
      `| ${index + 1} | ${pair.without.answers} | ${round(pair.without.appCpuMsPerAnswer)} | ${pair.with.answers} | ` +
      `${round(pair.with.appCpuMsPerAnswer)} | ${round(pair.cpuMsPerStep)} | ${round(pair.with.toolCallP50Ms)} | ` +
      `${round(pair.with.toolCallP95Ms)} | ${round(pair.with.nextTurnP50Ms)} |`,
  );
  const markdown = [
    `# Tool steps, ${date}`,
    "",
    `\`bun loadtest/tools-bench/main.ts\` (ROUNDS=${ROUNDS} STEPS=${STEPS} VUS=${VUS} DURATION_S=${DURATION_S}).`,
    `${describeMachine(environment)}`,
    "",
    "| round | answers without | app CPU ms/answer | answers with | app CPU ms/answer | CPU ms per step | tool call p50 ms | p95 ms | next turn p50 ms |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `Median CPU per tool step: ${round(summary.cpuMsPerStepMedian)} ms; tool call p50 ${round(summary.toolCallP50MsMedian)} ms; next model turn p50 ${round(summary.nextTurnP50MsMedian)} ms.`,
    "",
  ].join("\n");
  writeFileSync(`${root}loadtest/results/tools-${date}.md`, markdown);
  console.log(markdown);
}

await main();
