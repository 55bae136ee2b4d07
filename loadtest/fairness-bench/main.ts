/**
 * Store fairness: alice's list latency (p50, p99, max) alone and while bob runs 4 loops of a
 * 12-word search over his 3,200 conversations of 8,000 characters, on SQLite and on PostgreSQL,
 * with the store's fair queue and without it (the attacker suite's negative-control entry, which
 * serves every store call in arrival order). Every app starts on the same seeded data.
 *
 *   bun loadtest/fairness-bench/main.ts
 *   bun loadtest/fairness-bench/main.ts --engines sqlite --runtime deno --flood-s 30
 *
 * Not a test: the figures depend on the machine and on what else runs on it. Writes
 * loadtest/results/<date>-store-fairness-<runtime>.{json,md}.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { describeEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { percentileOf } from "../../harness/measure/percentile.ts";
import { startTestPostgres, type TestPostgres } from "../../harness/stack/postgres.ts";
import type { Runtime } from "../../harness/stack/process.ts";
import { awaitService, spawnService } from "../../harness/stack/services.ts";
import { type SeedPlan, seedPostgres, seedSqlite } from "../lib/seed-conversations.ts";
import { type FloodFigures, measureFlood } from "./flood.ts";

const root = new URL("../../", import.meta.url).pathname;
const TOKENS = { alice: "alice-bench-token-0001", bob: "bob-bench-token-000002" };

const { values } = parseArgs({
  options: {
    // Which stores to measure: sqlite, postgres or both.
    engines: { type: "string", default: "sqlite,postgres" },
    // The app's runtime.
    runtime: { type: "string", default: "bun" },
    // Bob's history: conversations, and characters of each question (its answer is a tenth of that).
    conversations: { type: "string", default: "3200" },
    "prompt-chars": { type: "string", default: "8000" },
    // Bob's search loops running at once.
    loops: { type: "string", default: "4" },
    // Seconds of alice alone, then during the flood; her pause between lists in ms.
    "baseline-s": { type: "string", default: "5" },
    "flood-s": { type: "string", default: "20" },
    "pause-ms": { type: "string", default: "50" },
    // Measurements of each store, fairness on and off alternating, on the same data.
    repeat: { type: "string", default: "2" },
  },
});
const runtime = values.runtime as Runtime;
const plan: SeedPlan[] = [
  { owner: "bob", conversations: Number(values.conversations), promptChars: Number(values["prompt-chars"]) },
  { owner: "alice", conversations: 30, promptChars: 300 },
];
const flood = {
  loops: Number(values.loops),
  baselineMs: Number(values["baseline-s"]) * 1000,
  floodMs: Number(values["flood-s"]) * 1000,
  pauseMs: Number(values["pause-ms"]),
};

/** Fairness on, off, on, off…: side by side, so that the machine's other load falls on both. */
function* alternating() {
  for (let round = 0; round < Number(values.repeat); round++) yield* [true, false];
}

interface Run {
  engine: string;
  fairness: "on" | "off";
  figures: FloodFigures;
}

/** Starts the app on `env` (fair, or through the negative-control entry), measures, stops it. */
async function measure(engine: string, fair: boolean, env: Record<string, string>): Promise<Run> {
  const entry = fair ? "src/main.ts" : "test/security/unguarded-server.ts";
  const settings = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    METRICS_PORT: "0",
    AUTH: "token",
    AUTH_TOKENS: `alice:${TOKENS.alice},bob:${TOKENS.bob}`,
    SLUICE_DEFENCES_OFF: fair ? "" : "storeFairness",
    ...env,
  };
  const app = await awaitService(spawnService(`app-${engine}`, entry, { runtime, env: settings }), 60_000);
  try {
    return { engine, fairness: fair ? "on" : "off", figures: await measureFlood(app.url, TOKENS, flood) };
  } finally {
    await app.process.stop();
  }
}

/** A run's figures as stored: percentiles and counts, not every latency. */
function summary({ engine, fairness, figures }: Run) {
  const trend = (values: number[]) => ({
    count: values.length,
    p50: percentileOf(values, 50),
    p99: percentileOf(values, 99),
    max: Math.max(...values),
  });
  const { alone, flooded, searches, refused } = figures;
  return { engine, fairness, alone: trend(alone), flooded: trend(flooded), searches: trend(searches), refused };
}

const ms = (values: number[], p: number) =>
  Number.isNaN(percentileOf(values, p)) ? "–" : percentileOf(values, p).toFixed(0);

function row({ engine, fairness, figures }: Run): string {
  const { alone, flooded, searches, refused } = figures;
  const refusals =
    Object.entries(refused)
      .map(([code, count]) => `${count} ${code}`)
      .join(", ") || "none";
  return `| ${engine} | ${fairness} | ${ms(alone, 50)} / ${ms(alone, 99)} | ${ms(flooded, 50)} / ${ms(flooded, 99)} / ${Math.max(...flooded).toFixed(0)} | ${flooded.length} | ${searches.length} (${ms(searches, 50)} ms p50) | ${refusals} |`;
}

async function main() {
  const environment = describeEnvironment(root);
  console.log(describeMachine(environment));
  const runs: Run[] = [];
  const engines = values.engines.split(",");
  if (engines.includes("sqlite")) {
    const dataDir = join(tmpdir(), `sluice-fairness-${crypto.randomUUID()}`);
    mkdirSync(dataDir, { recursive: true });
    try {
      await seedSqlite(dataDir, plan);
      for (const fair of alternating()) runs.push(await measure("SQLite", fair, { DATA_DIR: dataDir }));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (engines.includes("postgres")) {
    const server: TestPostgres = await startTestPostgres();
    const dataDir = join(tmpdir(), `sluice-fairness-${crypto.randomUUID()}`);
    try {
      await seedPostgres(server.url, plan);
      for (const fair of alternating())
        runs.push(await measure("PostgreSQL", fair, { DATA_DIR: dataDir, DATABASE_URL: server.url }));
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const table = [
    `alice's list while bob runs ${flood.loops} loops of a 12-word search over ${plan[0]?.conversations} conversations of ${plan[0]?.promptChars} characters (app on ${runtime})`,
    "",
    "| store | fairness | alice alone p50 / p99 ms | alice during the flood p50 / p99 / max ms | lists | bob's searches | refused |",
    "|---|---|---|---|---|---|---|",
    ...runs.map(row),
  ].join("\n");
  console.log(`\n${table}`);
  const stamp = new Date().toISOString().slice(0, 10);
  const results = join(root, "loadtest", "results");
  const command = `bun loadtest/fairness-bench/main.ts ${process.argv.slice(2).join(" ")}`.trim();
  const name = `${stamp}-store-fairness-${runtime}`;
  writeFileSync(
    join(results, `${name}.json`),
    JSON.stringify({ command, environment, plan, flood, runtime, runs: runs.map(summary) }, null, 1),
  );
  writeFileSync(
    join(results, `${name}.md`),
    `# Store fairness, ${stamp}\n\n\`${command}\`\n\n${describeMachine(environment)}\n\n${table}\n`,
  );
}

await main();
