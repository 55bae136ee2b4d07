/**
 * The side-by-side run's report: each subject's figures (median over rounds), then the issue's
 * figures as ratios taken within each round (so the machine's noise cancels) with their median
 * and target, and the app's CPU by thread. Printed, and written to loadtest/results/ as
 * Markdown and JSON with the command that made them.
 */
import { writeFileSync } from "node:fs";
import { type BenchEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { median } from "../../harness/measure/percentile.ts";
import type { CompareSettings, Measured } from "./compare.ts";
import type { SubjectName } from "./subjects.ts";

const cpuPerToken = (m: Measured) => (m.cpu.userUs + m.cpu.kernelUs) / m.tokens;

/** One figure per subject: its name and how to read it from a measurement. */
const FIGURES: [string, (m: Measured) => number][] = [
  ["CPU µs/token (user + kernel)", cpuPerToken],
  ["CPU µs/token, user", (m) => m.cpu.userUs / m.tokens],
  ["CPU µs/token, kernel", (m) => m.cpu.kernelUs / m.tokens],
  ["RSS KiB per open stream", (m) => m.rssPerStream / 1024],
  ["idle RSS MiB", (m) => m.idleRssBytes / 2 ** 20],
  ["TTFT p50 ms", (m) => m.ttftP50],
  ["TTFT p99 ms", (m) => m.ttftP99],
  ["errors", (m) => m.errors],
  ["tokens received", (m) => m.tokens],
  ["simulator CPU µs/token", (m) => (m.simulatorCpu.userUs + m.simulatorCpu.kernelUs) / m.tokens],
  ["redis CPU µs/token", (m) => (m.redisCpu ? (m.redisCpu.userUs + m.redisCpu.kernelUs) / m.tokens : Number.NaN)],
  ["load average at start", (m) => m.loadAverage],
];

export interface Ratio {
  name: string;
  target: string;
  /** One value per round in which both subjects ran. */
  perRound: number[];
  median: number;
  met: boolean;
}

/** The issue's figures: each a ratio of two subjects within a round (or a plain figure). */
const RATIOS: {
  name: string;
  target: string;
  of: SubjectName;
  to?: SubjectName;
  /** Subtracted first, from `of` and from `to`: what is left above each one's floor. */
  less?: [SubjectName, SubjectName];
  read: (m: Measured) => number;
  max: number;
}[] = [
  {
    name: "app CPU per token, Sluice ÷ peer (Bun)",
    target: "≤ 0.6",
    of: "sluice",
    to: "peer",
    read: cpuPerToken,
    max: 0.6,
  },
  {
    name: "RSS per open stream, Sluice ÷ peer",
    target: "—",
    of: "sluice",
    to: "peer",
    read: (m) => m.rssPerStream,
    max: Number.POSITIVE_INFINITY,
  },
  {
    name: "RSS per open stream, Sluice (KiB)",
    target: "≤ 25",
    of: "sluice",
    read: (m) => m.rssPerStream / 1024,
    max: 25,
  },
  { name: "TTFT p99, Sluice ÷ peer", target: "≤ 0.5", of: "sluice", to: "peer", read: (m) => m.ttftP99, max: 0.5 },
  {
    name: "CPU per token, Sluice on Deno ÷ on Bun",
    target: "≤ 1.3",
    of: "sluice-deno",
    to: "sluice",
    read: cpuPerToken,
    max: 1.3,
  },
  {
    name: "CPU per token, REDIS_URL ÷ without",
    target: "≤ 1.05",
    of: "sluice-redis",
    to: "sluice",
    read: cpuPerToken,
    max: 1.05,
  },
  // The floor's own ratios say how far a target is from what the runtime itself allows here.
  {
    name: "app CPU per token, floor ÷ peer",
    target: "—",
    of: "floor",
    to: "peer",
    read: cpuPerToken,
    max: Number.POSITIVE_INFINITY,
  },
  {
    name: "RSS per open stream, floor (KiB)",
    target: "—",
    of: "floor",
    read: (m) => m.rssPerStream / 1024,
    max: Number.POSITIVE_INFINITY,
  },
  {
    name: "TTFT p99, floor ÷ peer",
    target: "—",
    of: "floor",
    to: "peer",
    read: (m) => m.ttftP99,
    max: Number.POSITIVE_INFINITY,
  },
  {
    name: "CPU per token, floor on Deno ÷ on Bun",
    target: "—",
    of: "floor-deno",
    to: "floor",
    read: cpuPerToken,
    max: Number.POSITIVE_INFINITY,
  },
  {
    name: "CPU per token above each runtime's floor, Sluice on Deno ÷ on Bun",
    target: "—",
    of: "sluice-deno",
    to: "sluice",
    less: ["floor-deno", "floor"],
    read: cpuPerToken,
    max: Number.POSITIVE_INFINITY,
  },
  {
    name: "CPU per token, sluice-alt ÷ sluice",
    target: "—",
    of: "sluice-alt",
    to: "sluice",
    read: cpuPerToken,
    max: Number.POSITIVE_INFINITY,
  },
  {
    name: "RSS per open stream, sluice-alt ÷ sluice",
    target: "—",
    of: "sluice-alt",
    to: "sluice",
    read: (m) => m.rssPerStream,
    max: Number.POSITIVE_INFINITY,
  },
  {
    name: "TTFT p99, sluice-alt ÷ sluice",
    target: "—",
    of: "sluice-alt",
    to: "sluice",
    read: (m) => m.ttftP99,
    max: Number.POSITIVE_INFINITY,
  },
];

/** The ratios whose subjects both ran. */
export function ratios(measured: Measured[]): Ratio[] {
  const rounds = [...new Set(measured.map((m) => m.round))];
  const find = (subject: SubjectName, round: number) =>
    measured.find((m) => m.subject === subject && m.round === round);
  return RATIOS.flatMap(({ name, target, of, to, less, read, max }) => {
    const perRound = rounds.flatMap((round) => {
      const a = find(of, round);
      const b = to ? find(to, round) : undefined;
      if (!a || (to && !b)) return [];
      if (!less) return [b ? read(a) / read(b) : read(a)];
      const [lessA, lessB] = [find(less[0], round), find(less[1], round)];
      if (!b || !lessA || !lessB) return [];
      return [(read(a) - read(lessA)) / (read(b) - read(lessB))];
    });
    if (perRound.length === 0) return [];
    const middle = median(perRound);
    return [{ name, target, perRound, median: middle, met: middle <= max }];
  });
}

const fixed = (value: number) => (Number.isNaN(value) ? "–" : value >= 100 ? value.toFixed(0) : value.toFixed(2));

function subjectTable(measured: Measured[], subjects: SubjectName[]): string[] {
  const lines = [
    `| figure (median of rounds) | ${subjects.join(" | ")} |`,
    `|---|${subjects.map(() => "---:").join("|")}|`,
  ];
  for (const [name, read] of FIGURES) {
    const cells = subjects.map((subject) => fixed(median(measured.filter((m) => m.subject === subject).map(read))));
    if (cells.every((cell) => cell === "–")) continue;
    lines.push(`| ${name} | ${cells.join(" | ")} |`);
  }
  return lines;
}

function ratioTable(list: Ratio[]): string[] {
  const lines = ["| figure | each round | median | target | met |", "|---|---|---:|---|---|"];
  for (const ratio of list)
    lines.push(
      `| ${ratio.name} | ${ratio.perRound.map(fixed).join(", ")} | **${fixed(ratio.median)}** | ${ratio.target} | ${ratio.target === "—" ? "—" : ratio.met ? "yes" : "no"} |`,
    );
  return lines;
}

function threadLines(measured: Measured[]): string[] {
  return measured.map((m) => {
    const threads = [...m.threads].filter(([, us]) => us > 0).sort((a, b) => b[1] - a[1]);
    return `- round ${m.round + 1}, ${m.subject}: ${threads.map(([name, us]) => `${name} ${(us / m.tokens).toFixed(1)}`).join(", ")}`;
  });
}

/** The report as Markdown. */
export function compareMarkdown(
  settings: CompareSettings,
  environment: BenchEnvironment,
  measured: Measured[],
  command: string,
): string {
  return [
    `# Relay cost side by side: ${settings.streams} streams × ${settings.tokens} tokens at ${settings.tps} tok/s`,
    "",
    `Command: \`${command}\``,
    "",
    `Machine: ${describeMachine(environment)}. Shared with other work while it ran: the ratios are taken within each round, subjects on fresh processes one at a time, the order rotated every round; the load average before each subject is in the table.`,
    "",
    `Subjects: \`GET /chat?q=\` on each, the same simulator (Bun, simulator TTFT ${settings.ttftMs} ms), the same viewers in the bench process; ${settings.rounds} round(s); warm-up: ${settings.warmUpRounds ?? 2} rounds of ${settings.warmUpStreams ?? 100} streams.`,
    "",
    ...ratioTable(ratios(measured)),
    "",
    ...subjectTable(measured, settings.subjects),
    "",
    "CPU µs per token by thread:",
    "",
    ...threadLines(measured),
    "",
  ].join("\n");
}

/** Prints the report and writes `<base>.md` and `<base>.json`. */
export function writeCompareReport(
  base: string | undefined,
  settings: CompareSettings,
  environment: BenchEnvironment,
  measured: Measured[],
  command: string,
): void {
  const markdown = compareMarkdown(settings, environment, measured, command);
  console.log(`\n${markdown}`);
  if (!base) return;
  writeFileSync(`${base}.md`, markdown);
  const json = measured.map((m) => ({ ...m, threads: Object.fromEntries(m.threads) }));
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ command, environment, settings, ratios: ratios(measured), measured: json }, null, 2)}\n`,
  );
  console.log(`written: ${base}.md, ${base}.json`);
}
