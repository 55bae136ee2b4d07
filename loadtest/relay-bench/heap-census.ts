/**
 * What one open stream holds in the app's JavaScript heap, by class and by closure: the relay
 * bench's streams on Sluice (Bun), with heap-census-preload.ts in the app taking a snapshot idle and
 * one with every stream open; the difference, divided by the streams. Slow streams by default, so
 * that every stream is open for long enough.
 *
 *   bun loadtest/relay-bench/heap-census.ts                       # 1,000 streams × 60 tokens at 4/s
 *   bun loadtest/relay-bench/heap-census.ts --streams 500 --tokens 40
 *   bun loadtest/relay-bench/heap-census.ts --subject sluice-redis   # with REDIS_URL (a throwaway Redis)
 *
 * Object sizes are each object's own (JavaScriptCore's snapshot), not what it keeps alive; the
 * runtime's native memory (sockets, buffers) is not in them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  censusOf,
  type HeapSnapshot,
  memoryPerStream,
  type PerStream,
  type ProcessMemory,
  perStream,
} from "./heap-snapshot.ts";

const ROOT = resolve(import.meta.dir, "../..");
const PRELOAD = join(import.meta.dir, "heap-census-preload.ts");
const SHOWN = 20;

function optionOf(argv: string[], name: string, fallback: string): string {
  const at = argv.indexOf(`--${name}`);
  return at !== -1 && argv[at + 1] !== undefined ? (argv[at + 1] as string) : fallback;
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

export function censusReport(
  result: PerStream,
  memory: ReturnType<typeof memoryPerStream> | undefined,
  command: string,
): string {
  const lines = [
    `Command: \`${command}\``,
    "",
    `Per open stream: **${Math.round(result.bytes)} bytes** in **${result.objects.toFixed(1)} objects** (each object's own size).`,
    "",
    ...(memory
      ? [
          "| the process's memory per open stream, after a full collection | KiB |",
          "|---|---:|",
          `| RSS | ${kib(memory.rss)} |`,
          `| the JavaScript heap's capacity (its blocks, live or not) | ${kib(memory.heapCapacity)} |`,
          `| of which live | ${kib(memory.heapLive)} |`,
          `| memory the heap's objects own outside it | ${kib(memory.extra)} |`,
          `| the rest: the runtime's native memory (sockets, buffers) | ${kib(memory.rest)} |`,
          "",
        ]
      : []),
    "| class | objects per stream | bytes per stream |",
    "|---|---:|---:|",
    ...result.classes
      .slice(0, SHOWN)
      .map(([name, count]) => `| ${name} | ${count.objects.toFixed(2)} | ${Math.round(count.bytes)} |`),
    "",
    "| functions held under (closures by what holds them) | per stream |",
    "|---|---:|",
    ...result.functions
      .filter(([, count]) => count >= 0.5)
      .slice(0, SHOWN)
      .map(([names, count]) => `| ${names.replaceAll("|", "\\|")} | ${count.toFixed(2)} |`),
  ];
  return `${lines.join("\n")}\n`;
}

async function main(argv: string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-heap-census-"));
  const streams = Number(optionOf(argv, "streams", "1000"));
  const args = [
    "--compare",
    "--subjects",
    optionOf(argv, "subject", "sluice"),
    "--runs",
    "1",
    "--tokens",
    optionOf(argv, "tokens", "60"),
    "--tps",
    optionOf(argv, "tps", "4"),
    "--streams",
    String(streams),
    `--app-bun-options=--preload ${PRELOAD}`,
  ];
  const bench = Bun.spawn([process.execPath, "loadtest/relay-bench/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, HEAP_CENSUS_DIR: dir },
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await bench.exited) !== 0) return 1;
  const read = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as HeapSnapshot;
  if (!existsSync(join(dir, "idle.json")) || !existsSync(join(dir, "open.json"))) {
    console.error("heap-census: the app took no snapshot of both states; were the streams open for 3 s or more?");
    return 1;
  }
  const result = perStream(censusOf(read("idle")), censusOf(read("open")), streams);
  const memoryOf = (name: string) =>
    JSON.parse(readFileSync(join(dir, `${name}-memory.json`), "utf8")) as ProcessMemory;
  const memory = memoryPerStream(memoryOf("idle"), memoryOf("open"), streams);
  rmSync(dir, { recursive: true, force: true });
  const command = `bun loadtest/relay-bench/heap-census.ts ${argv.join(" ")}`.trim();
  console.log(`\n${censusReport(result, memory, command)}`);
  return 0;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
