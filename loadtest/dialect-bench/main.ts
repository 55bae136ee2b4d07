/**
 * What each dialect costs per token next to `/v1/chat/completions`: the same users, prompts and
 * pacing through nginx and one app, spoken as chat completions (`gateway`, a pass-through: no
 * generation, nothing stored), as the Responses API (`responses`: a generation, framed as typed
 * events; once unstored, once stored as OpenAI's default does) and as the AI SDK's UI message
 * stream (`ui-chat`: a generation, and a new stored conversation per request). Each round runs
 * every subject on one fresh stack, in an order rotated from round to round; every figure is a
 * ratio to `gateway` within its round, then the median of the rounds, so what else runs on a
 * shared machine weighs on both sides of each ratio.
 *
 *   bun loadtest/dialect-bench/main.ts --rounds 3 --vus 50 --duration-s 15 --tokens 100
 *   bun loadtest/dialect-bench/main.ts --results loadtest/results/dialects-<date>
 *
 * Not a test: the figures depend on the machine and on what else runs on it.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { describeEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { median } from "../../harness/measure/percentile.ts";
import { figuresOf, type RunFigures } from "../bench/figures.ts";
import { scenarioEnv, startLoadStack } from "../bench/load-stack.ts";
import { runLoadScenario } from "../bench/run-scenario.ts";

const root = new URL("../../", import.meta.url).pathname;

/** The subjects: a scenario and its extra settings. */
const SUBJECTS: Record<string, { scenario: string; env: Record<string, string> }> = {
  gateway: { scenario: "gateway", env: {} },
  responses: { scenario: "responses", env: { STORE: "false" } },
  "responses-stored": { scenario: "responses", env: { STORE: "true" } },
  "ui-chat": { scenario: "ui-chat", env: {} },
};

function readOptions() {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "3" },
      vus: { type: "string", default: "50" },
      "duration-s": { type: "string", default: "15" },
      tokens: { type: "string", default: "100" },
      tps: { type: "string", default: "30" },
      results: { type: "string" },
    },
  });
  return {
    rounds: Number(values.rounds),
    vus: values.vus,
    durationS: values["duration-s"],
    tokens: values.tokens,
    tps: values.tps,
    results: values.results,
  };
}

/** One round: every subject on one fresh stack, starting with the `round`-th. */
async function runRound(round: number, options: ReturnType<typeof readOptions>): Promise<Record<string, RunFigures>> {
  const names = Object.keys(SUBJECTS);
  const order = names.map((_, index) => names[(index + round) % names.length] as string);
  // A stack per round: what one subject stored (conversations) does not weigh on the next round.
  // Every virtual user is the same user: its per-user limits (the store's queue too) are lifted.
  const loadStack = await startLoadStack({
    LIMIT_USER_CONCURRENT: "100000",
    LIMIT_USER_PER_MINUTE: "100000000",
    STORE_USER_QUEUE: "100000",
  });
  const figures: Record<string, RunFigures> = {};
  try {
    for (const name of order) {
      const subject = SUBJECTS[name] as (typeof SUBJECTS)[string];
      const env = scenarioEnv(loadStack, {
        ...subject.env,
        VUS: options.vus,
        DURATION_S: options.durationS,
        TOKENS: options.tokens,
        SIM_TPS: options.tps,
      });
      figures[name] = figuresOf(await runLoadScenario(subject.scenario, env, loadStack.pids));
      const run = figures[name];
      console.error(
        `round ${round + 1}: ${name}: ${run?.tokens} tokens, app ${run?.cpuPerToken.app} µs/token, errors ${run?.errors}`,
      );
    }
  } finally {
    await loadStack.stack.stop();
  }
  return figures;
}

/** Per subject: the medians over the rounds of its figures and of their ratios to `gateway`. */
function summarize(rounds: Record<string, RunFigures>[]) {
  const of = (name: string, pick: (figures: RunFigures) => number) =>
    median(rounds.map((round) => pick(round[name] as RunFigures)));
  const ratio = (name: string, pick: (figures: RunFigures) => number) =>
    median(rounds.map((round) => pick(round[name] as RunFigures) / pick(round.gateway as RunFigures)));
  return Object.keys(SUBJECTS).map((name) => ({
    subject: name,
    appMicrosPerToken: of(name, (figures) => figures.cpuPerToken.app),
    appRatio: ratio(name, (figures) => figures.cpuPerToken.app),
    nginxMicrosPerToken: of(name, (figures) => figures.cpuPerToken.nginx),
    ttftP50: of(name, (figures) => figures.ttft?.p50 ?? 0),
    ttftP95: of(name, (figures) => figures.ttft?.p95 ?? 0),
    itlP95: of(name, (figures) => figures.itl?.p95 ?? 0),
    errors: rounds.reduce((sum, round) => sum + (round[name]?.errors ?? 0), 0),
    tokens: of(name, (figures) => figures.tokens),
  }));
}

function markdown(
  rows: ReturnType<typeof summarize>,
  options: ReturnType<typeof readOptions>,
  machine: string,
): string {
  const command = `bun loadtest/dialect-bench/main.ts --rounds ${options.rounds} --vus ${options.vus} --duration-s ${options.durationS} --tokens ${options.tokens} --tps ${options.tps}`;
  const lines = [
    `# Dialects side by side (${new Date().toISOString().slice(0, 10)})`,
    "",
    `\`${command}\``,
    "",
    machine,
    "",
    "| subject | app CPU µs/token | × gateway | nginx µs/token | TTFT p50 / p95 ms | ITL p95 ms | errors |",
    "|---|---|---|---|---|---|---|",
    ...rows.map(
      (row) =>
        `| ${row.subject} | ${row.appMicrosPerToken.toFixed(1)} | ${row.appRatio.toFixed(2)} | ${row.nginxMicrosPerToken.toFixed(1)} | ${row.ttftP50.toFixed(0)} / ${row.ttftP95.toFixed(0)} | ${row.itlP95.toFixed(0)} | ${row.errors} |`,
    ),
    "",
    `Medians of ${options.rounds} rounds; "× gateway" is the median of the per-round ratios.`,
  ];
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const options = readOptions();
  const environment = describeEnvironment(root);
  const rounds: Record<string, RunFigures>[] = [];
  for (let round = 0; round < options.rounds; round++) rounds.push(await runRound(round, options));
  const rows = summarize(rounds);
  const report = markdown(rows, options, describeMachine(environment));
  console.log(report);
  if (options.results) {
    writeFileSync(`${options.results}.json`, `${JSON.stringify({ options, environment, rows, rounds }, null, 2)}\n`);
    writeFileSync(`${options.results}.md`, report);
  }
}

await main();
