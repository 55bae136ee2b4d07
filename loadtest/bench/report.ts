/**
 * The bench's Markdown: latency direct vs through nginx + Sluice with the overhead, CPU per
 * relayed token, memory per open stream, the most streams held, Stop → abort, the generator's load.
 */
import { type BenchEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { overhead, type Percentiles, type RunFigures } from "./figures.ts";
import type { HoldFigures } from "./hold-figures.ts";

export interface LatencyLevel {
  concurrency: number;
  direct: RunFigures;
  gateway: RunFigures;
  chat: RunFigures;
}

export interface BenchResult {
  date: string;
  quick: boolean;
  command: string;
  environment: BenchEnvironment;
  settings: Record<string, unknown>;
  latency: LatencyLevel[];
  holds: HoldFigures[];
  highestHeld: number | undefined;
  stop: {
    clients: number;
    aborted: number;
    toAbort: Percentiles | undefined;
    toDone: Percentiles | undefined;
    exitCode: number;
  };
}

const triple = (p: Percentiles | undefined) => (p ? `${p.p50} / ${p.p95} / ${p.p99}` : "–");
const signed = (p: Percentiles | undefined) => (p ? triple(p).replace(/(^|\/ )(\d)/g, "$1+$2") : "–");

function latencyTable(levels: LatencyLevel[]): string[] {
  const lines = [
    "| concurrency | metric | direct p50 / p95 / p99 | gateway (nginx + Sluice) | overhead (gateway − direct) | /api/chat + SSE | overhead (chat − direct) |",
    "|---:|---|---|---|---|---|---|",
  ];
  for (const level of levels) {
    for (const metric of ["ttft", "itl", "e2el"] as const) {
      const direct = level.direct[metric];
      const gateway = level.gateway[metric];
      const chat = level.chat[metric];
      lines.push(
        `| ${level.concurrency} | ${metric.toUpperCase()} | ${triple(direct)} | ${triple(gateway)} | ${signed(overhead(gateway, direct))} | ${triple(chat)} | ${signed(overhead(chat, direct))} |`,
      );
    }
  }
  return lines;
}

function costTable(levels: LatencyLevel[]): string[] {
  const lines = [
    "| concurrency | path | tokens/s | errors | app µs/token | nginx µs/token | simulator µs/token | generator CPU avg / peak (cores) |",
    "|---:|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const level of levels) {
    for (const run of [level.direct, level.gateway, level.chat]) {
      const saturated = run.generatorSaturated ? " **saturated**" : "";
      lines.push(
        `| ${level.concurrency} | ${run.scenario} | ${run.tokensPerSecond} | ${run.errors} | ${run.scenario === "direct" ? "–" : run.cpuPerToken.app} | ${run.scenario === "direct" ? "–" : run.cpuPerToken.nginx} | ${run.cpuPerToken.simulator} | ${run.generatorCpu.average} / ${run.generatorCpu.peak}${saturated} |`,
      );
    }
  }
  return lines;
}

function holdTable(holds: HoldFigures[]): string[] {
  const lines = [
    "| streams | held, zero errors | max open | errors | TTFT p50 / p95 / p99 | app RSS KiB/stream | nginx RSS KiB/stream | app µs/token | nginx µs/token | generator peak |",
    "|---:|---|---:|---:|---|---:|---:|---:|---:|---|",
  ];
  for (const hold of holds) {
    const errors = hold.errors
      ? `${hold.errors} (${Object.entries(hold.errorCodes)
          .map(([code, n]) => `${code}: ${n}`)
          .join(", ")})`
      : "0";
    lines.push(
      `| ${hold.target} | ${hold.held ? "yes" : "no"} | ${hold.maxOpenStreams} | ${errors} | ${triple(hold.ttft)} | ${hold.appRssPerStreamKiB ?? "–"} | ${hold.nginxRssPerStreamKiB ?? "–"} | ${hold.cpuPerToken.app} | ${hold.cpuPerToken.nginx} | ${hold.generatorCpu.peak}${hold.generatorSaturated ? " **saturated**" : ""} |`,
    );
  }
  return lines;
}

function failedThresholds(result: BenchResult): string[] {
  const runs = [
    ...result.latency.flatMap((level) =>
      [level.direct, level.gateway, level.chat].map((run) => ({
        label: `${run.scenario} × ${level.concurrency}`,
        run,
      })),
    ),
    ...result.holds.map((hold) => ({ label: `streams × ${hold.target}`, run: hold as RunFigures })),
  ];
  const failed = runs.filter(({ run }) => run.failedThresholds.length > 0);
  if (failed.length === 0) return ["Every run met its thresholds."];
  return [
    "Thresholds not met:",
    "",
    ...failed.map(({ label, run }) => `- ${label}: ${run.failedThresholds.join("; ")}`),
  ];
}

/** The whole report as Markdown. */
export function benchMarkdown(result: BenchResult): string {
  const saturated = [...result.latency.flatMap((level) => [level.direct, level.gateway, level.chat]), ...result.holds]
    .filter((run) => run.generatorSaturated)
    .map((run) => ("target" in run ? `streams ${run.target}` : `${run.scenario}`));
  return [
    `# Sluice bench, ${result.date}${result.quick ? " (quick)" : ""}`,
    "",
    `Command: \`${result.command}\`. Machine: ${describeMachine(result.environment)}. The load generator runs on the same machine.`,
    "",
    `Settings: \`${JSON.stringify(result.settings)}\``,
    "",
    "## Latency, ms: the simulator directly vs through nginx + Sluice",
    "",
    ...latencyTable(result.latency),
    "",
    "ITL counts every gap between two tokens as the client read them; tokens that arrive in one network read have a gap of 0, so a p50 of 0 means most tokens came bunched.",
    "",
    ...failedThresholds(result),
    "",
    "## Cost per relayed token",
    "",
    "CPU time (utime + stime) used during the run divided by the tokens the clients received; at concurrency 1 it is mostly the processes' fixed background cost.",
    "",
    ...costTable(result.latency),
    "",
    "## Open streams held",
    "",
    ...holdTable(result.holds),
    "",
    `Highest concurrency held with zero errors: **${result.highestHeld ?? "none"}**.`,
    "",
    "## Stop → upstream abort",
    "",
    `${result.stop.aborted} of ${result.stop.clients} stopped streams seen aborted by the simulator; DELETE → abort seen, p50 / p95 / p99: **${triple(result.stop.toAbort)} ms**; DELETE → \`done\` (cancelled) on the stream: ${triple(result.stop.toDone)} ms.`,
    "",
    "## Load generator",
    "",
    saturated.length
      ? `The generator reached ≥ 90% of a core in: ${saturated.join(", ")}; latency there includes its own queueing.`
      : "The generator stayed below 90% of a core in every run.",
    "",
  ].join("\n");
}
