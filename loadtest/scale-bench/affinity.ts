/**
 * What balancing by user saves behind nginx: two instances sharing a Redis, many users with one
 * answer each (POST /api/chat, then its stream read through nginx on a new connection), nginx
 * balancing by open connections (least_conn, the default) and by user (SLUICE_BALANCE
 * "hash $sluice_affinity consistent"), one after the other, round after round. Prints, per
 * balancing, the apps' CPU per token (both instances together), Redis's, the viewers that followed
 * an answer of the other instance (read at mid-run from each instance's metrics), and how the
 * users spread.
 *
 *   bun loadtest/scale-bench/affinity.ts [--users 500] [--tokens 100] [--tps 20] [--rounds 3]
 *
 * Not a test: the figures depend on the machine and on what else runs on it.
 */

import { parseArgs } from "node:util";
import { startChat } from "../../harness/client/chat.ts";
import { metricValue } from "../../harness/client/metrics.ts";
import { readStream } from "../../harness/client/stream.ts";
import { describeEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { median } from "../../harness/measure/percentile.ts";
import { cpuMicros } from "../../harness/measure/proc.ts";
import { relaunchWithFetchCap } from "../../harness/stack/fetch-cap.ts";
import { startStack } from "../../harness/stack/start-stack.ts";
import { type TokenUser, tokenUsers } from "../../harness/stack/token-users.ts";

type Balance = "connections" | "users";

interface Round {
  balance: Balance;
  tokens: number;
  appCpuUs: number;
  redisCpuUs: number;
  followed: number;
  /** Answers started on each instance. */
  spread: number[];
  errors: number;
}

function readOptions() {
  const { values } = parseArgs({
    options: {
      users: { type: "string", default: "500" },
      tokens: { type: "string", default: "100" },
      tps: { type: "string", default: "20" },
      rounds: { type: "string", default: "3" },
    },
  });
  const number = (name: keyof typeof values) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name}: expected a whole number, got "${values[name]}"`);
    return value;
  };
  return { users: number("users"), tokens: number("tokens"), tps: number("tps"), rounds: number("rounds") };
}

/** `user` asks through nginx and reads the answer on a new connection: its tokens. */
async function answer(base: string, user: TokenUser, prompt: string): Promise<number> {
  const { url } = await startChat(base, prompt, { token: user.token });
  const read = await readStream(url, { token: user.token, timeoutMs: 120_000 });
  return read.events.filter((event) => event.event === "token").length;
}

async function runRound(balance: Balance, options: ReturnType<typeof readOptions>): Promise<Round> {
  const { users, env } = tokenUsers(options.users, "affinity-bench");
  const stack = await startStack({
    instances: 2,
    redis: true,
    balance,
    env: {
      ...env,
      SIM_TTFT_MS: "200",
      SIM_TOKENS_PER_SECOND: String(options.tps),
    },
  });
  try {
    // Warm-up: every user once, a short answer (JIT, nginx's kept-alive connections to the apps).
    await Promise.all(users.map((user) => answer(stack.url, user, "/sim tokens=3\nwarm up")));
    const pids = stack.apps.map((app) => app.pid);
    const redis = stack.redisPid as number;
    const before = { apps: pids.map(cpuMicros), redis: cpuMicros(redis) };
    const prompt = `/sim tokens=${options.tokens}\nhow is the load spread?`;
    let errors = 0;
    const reads = users.map((user) =>
      answer(stack.url, user, prompt).catch(() => {
        errors++;
        return 0;
      }),
    );
    // Mid-run, every stream open: the viewers following an answer of the other instance.
    await Bun.sleep(200 + (options.tokens / options.tps) * 500);
    const followed = await Promise.all(
      stack.apps.map((app) => metricValue(app.metricsUrl, "sluice_cluster_followed_generations")),
    );
    const tokens = (await Promise.all(reads)).reduce((sum, count) => sum + count, 0);
    const spread = await Promise.all(stack.apps.map((app) => metricValue(app.metricsUrl, "sluice_generations_total")));
    return {
      balance,
      tokens,
      appCpuUs: pids.reduce((sum, pid, index) => sum + cpuMicros(pid) - (before.apps[index] as number), 0),
      redisCpuUs: cpuMicros(redis) - before.redis,
      followed: followed.reduce((sum, count) => sum + count, 0),
      spread,
      errors,
    };
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<number> {
  const relaunched = await relaunchWithFetchCap();
  if (relaunched !== undefined) return relaunched;
  const options = readOptions();
  const rounds: Round[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const order: Balance[] = round % 2 === 0 ? ["connections", "users"] : ["users", "connections"];
    for (const balance of order) {
      console.error(`round ${round + 1}/${options.rounds}: ${balance}…`);
      rounds.push(await runRound(balance, options));
    }
  }
  const root = new URL("../../", import.meta.url).pathname;
  console.log(
    `# Two instances behind nginx, ${options.users} users × 1 answer of ${options.tokens} tokens at ${options.tps} tok/s\n`,
  );
  console.log(
    `Command: \`bun loadtest/scale-bench/affinity.ts --users ${options.users} --tokens ${options.tokens} --tps ${options.tps} --rounds ${options.rounds}\`\n`,
  );
  console.log(`Machine: ${describeMachine(describeEnvironment(root))}\n`);
  console.log(
    "| balancing | apps' CPU µs/token (each round) | median | Redis CPU µs/token | viewers following the other instance | answers per instance | errors |",
  );
  console.log("|---|---|---:|---:|---:|---|---:|");
  for (const balance of ["connections", "users"] as const) {
    const mine = rounds.filter((round) => round.balance === balance);
    const perToken = mine.map((round) => round.appCpuUs / Math.max(1, round.tokens));
    const redis = mine.map((round) => round.redisCpuUs / Math.max(1, round.tokens));
    const name = balance === "connections" ? "least_conn (default)" : "by user (hash $sluice_affinity)";
    console.log(
      `| ${name} | ${perToken.map((value) => value.toFixed(1)).join(", ")} | **${median(perToken).toFixed(1)}** | ${median(redis).toFixed(1)} | ${mine.map((round) => round.followed).join(", ")} | ${mine.map((round) => round.spread.join("/")).join(", ")} | ${mine.reduce((sum, round) => sum + round.errors, 0)} |`,
    );
  }
  return 0;
}

process.exit(await main());
