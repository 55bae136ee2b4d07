/**
 * What the app itself spends to relay tokens: starts a standalone simulator and the app, warms
 * up, opens STREAMS concurrent streams (POST /api/chat + GET streamUrl) from this process, and
 * prints the app's CPU per relayed token (user / kernel), its memory per open stream (RSS and JS
 * heap, plateau − idle), TTFT as a viewer sees it, errors, the Stop latency (DELETE sent → the
 * simulator saw the abort), the simulator's own CPU per token as a reference floor, and the machine.
 * Tokens relayed come from the app's sluice_tokens_total; the app's CPU is also split by thread
 * (Bun: the JS thread "bun", its fetch thread "HTTP Client", GC and JIT helpers).
 *
 *   bun loadtest/relay-bench.ts                       # app and simulator on Bun, 1,000 streams
 *   bun loadtest/relay-bench.ts --runtime deno        # both on Deno
 *   bun loadtest/relay-bench.ts --embedded            # the app's in-process simulator (no UPSTREAM_BASE_URL)
 *   bun loadtest/relay-bench.ts --runs 3              # fresh processes per run; prints every run and the medians
 *   bun loadtest/relay-bench.ts --app-bun-options="--cpu-prof-md --cpu-prof-dir=prof"   # profile the app
 *
 * Options: --streams 1000, --tokens 200 (per stream), --tps 20 (per stream), --ttft-ms 200, --stops 200.
 * Not a test: the figures depend on the machine and on what else runs on it, so repeat and read medians.
 * Linux only: CPU time and RSS come from /proc/<pid> (proc(5)).
 */
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";
import { parseArgs } from "node:util";
import { type Runtime, type Started, startApp, startSimulator } from "../test/support/spawn.ts";

// Bun's fetch keeps at most 256 requests in flight unless this is set before it starts.
const FETCH_CAP_VARIABLE = "BUN_CONFIG_MAX_HTTP_REQUESTS";
if (!process.env[FETCH_CAP_VARIABLE]) {
  const child = Bun.spawn([process.execPath, ...process.argv.slice(1)], {
    env: { ...process.env, [FETCH_CAP_VARIABLE]: "16384" },
    stdio: ["inherit", "inherit", "inherit"],
  });
  process.exit(await child.exited);
}

const { values: flags } = parseArgs({
  options: {
    runtime: { type: "string", default: "bun" },
    streams: { type: "string", default: "1000" },
    tokens: { type: "string", default: "200" },
    tps: { type: "string", default: "20" },
    "ttft-ms": { type: "string", default: "200" },
    stops: { type: "string", default: "200" },
    runs: { type: "string", default: "1" },
    embedded: { type: "boolean", default: false },
    "app-bun-options": { type: "string" },
  },
});
const settings = {
  runtime: (flags.runtime === "deno" ? "deno" : "bun") as Runtime,
  streams: Number(flags.streams),
  tokens: Number(flags.tokens),
  tps: Number(flags.tps),
  ttftMs: Number(flags["ttft-ms"]),
  stops: Number(flags.stops),
  runs: Number(flags.runs),
  embedded: flags.embedded,
  appBunOptions: flags["app-bun-options"],
};

const root = new URL("../", import.meta.url).pathname;
// Warm-up: enough streams for the JIT, few enough not to pre-grow the heap to the plateau's size.
const WARM_UP_STREAMS = 100;
// Retained generations from the warm-up must be gone before the idle figures are taken.
const RETENTION_MS = 1_000;
const SAMPLE_EVERY_MS = 200;
// Stop requests are spread out so the latency measured is Stop's, not a queue of 200 DELETEs.
const STOP_SPACING_MS = 5;

// ---------------------------------------------------------------- processes (/proc, proc(5))

/** USER_HZ, in which /proc reports CPU time: 100 on every Linux ABI in use (getconf CLK_TCK). */
const TICKS_PER_SECOND = 100;

interface CpuTime {
  userUs: number;
  kernelUs: number;
}

/** utime and stime of every thread of `pid`: fields 14 and 15, i.e. 11 and 12 after `(comm) state`. */
function cpuTime(pid: number): CpuTime {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const micros = (ticks: string | undefined) => (Number(ticks) * 1e6) / TICKS_PER_SECOND;
  return { userUs: micros(fields[11]), kernelUs: micros(fields[12]) };
}

/** CPU µs (user + kernel) of `pid`'s threads, summed by thread name (JS thread, HTTP client, GC helpers…). */
function cpuByThread(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const micros = ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
      byName.set(name, (byName.get(name) ?? 0) + micros);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return byName;
}

function threadsSince(pid: number, before: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [name, micros] of cpuByThread(pid)) delta.set(name, micros - (before.get(name) ?? 0));
  return delta;
}

function cpuSince(pid: number, before: CpuTime): CpuTime {
  const now = cpuTime(pid);
  return { userUs: now.userUs - before.userUs, kernelUs: now.kernelUs - before.kernelUs };
}

function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) * 1024;
}

/** The unlabelled samples of the app's /metrics (sluice_tokens_total, sluice_nodejs_heap_size_used_bytes, …). */
async function scrape(appUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${appUrl}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const match of text.matchAll(/^(\w+) (\S+)$/gm)) samples.set(match[1] as string, Number(match[2]));
  return samples;
}

const metric = async (appUrl: string, name: string) => (await scrape(appUrl)).get(name) ?? Number.NaN;

// ---------------------------------------------------------------- one viewer

/** One POST /api/chat + GET streamUrl, read to the end with as little parsing as the figures need. */
class Viewer {
  streamId = "";
  open = false;
  ttftMs: number | undefined;
  /** The `done` event's finish_reason, or the `error` event's code. */
  outcome: string | undefined;
  /** Body reads; fewer than tokens when bytes coalesced (the app fell behind, or this process did). */
  reads = 0;
  failure: string | undefined;
  readonly firstToken = Promise.withResolvers<void>();

  async run(appUrl: string, content: string, signal: AbortSignal): Promise<void> {
    const sentAt = performance.now();
    try {
      const created = await fetch(`${appUrl}/api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content }] }),
        signal,
      });
      if (created.status !== 202) throw new Error(`POST /api/chat answered ${created.status}`);
      const { streamId, streamUrl } = (await created.json()) as { streamId: string; streamUrl: string };
      this.streamId = streamId;
      const response = await fetch(`${appUrl}${streamUrl}`, { signal });
      if (response.status !== 200 || !response.body) throw new Error(`GET ${streamUrl} answered ${response.status}`);
      this.open = true;
      await this.#read(response.body, sentAt);
      if (this.outcome === undefined) throw new Error("the stream closed without done or error");
    } catch (error) {
      this.failure = String(error);
    } finally {
      this.open = false;
      this.firstToken.resolve();
    }
  }

  async #read(body: ReadableStream<Uint8Array>, sentAt: number): Promise<void> {
    const decoder = new TextDecoder();
    let tail = "";
    for await (const bytes of body) {
      this.reads++;
      // The tail keeps an event split across two chunks findable.
      const text = tail + decoder.decode(bytes, { stream: true });
      if (this.ttftMs === undefined && text.includes("event: token\n")) {
        this.ttftMs = performance.now() - sentAt;
        this.firstToken.resolve();
      }
      tail = text.slice(-600);
    }
    const end = /event: (done|error)\nid: \d+\ndata: ([^\n]*)\n\n$/.exec(tail);
    if (!end) return;
    const data = JSON.parse(end[2] as string);
    this.outcome = end[1] === "done" ? data.finish_reason : `error:${data.code}`;
  }
}

function prompt(index: number, tokens: number, tps: number, ttftMs: number): string {
  return `/sim ttft_ms=${ttftMs} tps=${tps} tokens=${tokens}\nRelay bench stream ${index}`;
}

function runViewers(appUrl: string, count: number, content: (index: number) => string, timeoutMs: number) {
  const signal = AbortSignal.timeout(timeoutMs);
  const viewers = Array.from({ length: count }, () => new Viewer());
  const finished = Promise.all(viewers.map((viewer, index) => viewer.run(appUrl, content(index), signal)));
  return { viewers, finished };
}

// ---------------------------------------------------------------- phases

interface Idle {
  rssBytes: number;
  heapBytes: number;
}

async function warmUpAndIdle(app: Started): Promise<Idle> {
  for (let round = 0; round < 2; round++) {
    const { finished } = runViewers(app.url, WARM_UP_STREAMS, (i) => prompt(-i, 50, 1000, 0), 60_000);
    await finished;
  }
  await Bun.sleep(RETENTION_MS + 1_000);
  const rss: number[] = [];
  const heap: number[] = [];
  for (let sample = 0; sample < 5; sample++) {
    rss.push(rssBytes(app.process.pid));
    heap.push(await metric(app.url, "sluice_nodejs_heap_size_used_bytes"));
    await Bun.sleep(SAMPLE_EVERY_MS);
  }
  return { rssBytes: median(rss), heapBytes: Math.min(...heap) };
}

interface RelayFigures {
  tokens: number;
  appCpu: CpuTime;
  /** App CPU µs by thread name; threads that ended during the run are missing. */
  appThreads: Map<string, number>;
  simulatorCpu: CpuTime | undefined;
  rssPerStream: number;
  heapPerStream: number;
  plateauSamples: number;
  ttftP50: number;
  ttftP99: number;
  errors: number;
  /** Body reads per relayed token here; well below 1 means this process (or the app) fell behind. */
  readsPerToken: number;
  wallMs: number;
}

/**
 * Samples RSS (every tick) and the JS heap (every 10th tick) while all `viewers` are open. A
 * /metrics scrape is not free for the app (tens of ms on Bun while prom-client still walked the
 * heap for per-space figures), so the heap is sampled rarely, to keep scrapes out of the CPU per token.
 */
function samplePlateau(app: Started, viewers: Viewer[]) {
  const rss: number[] = [];
  const heap: number[] = [];
  let tick = 0;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy || !viewers.every((viewer) => viewer.open)) return;
    busy = true;
    rss.push(rssBytes(app.process.pid));
    if (tick++ % 10 === 0) heap.push(await metric(app.url, "sluice_nodejs_heap_size_used_bytes"));
    busy = false;
  }, SAMPLE_EVERY_MS);
  return { rss, heap, stop: () => clearInterval(timer) };
}

async function measureRelay(app: Started, simulator: Started | undefined, idle: Idle): Promise<RelayFigures> {
  const { streams, tokens, tps, ttftMs } = settings;
  const expectedMs = ttftMs + (tokens * 1000) / tps;
  const tokensBefore = await metric(app.url, "sluice_tokens_total");
  const appBefore = cpuTime(app.process.pid);
  const threadsBefore = cpuByThread(app.process.pid);
  const simulatorBefore = simulator && cpuTime(simulator.process.pid);
  const startedAt = performance.now();
  const run = runViewers(app.url, streams, (i) => prompt(i, tokens, tps, ttftMs), expectedMs * 3 + 30_000);
  const plateau = samplePlateau(app, run.viewers);
  await run.finished;
  plateau.stop();
  const wallMs = performance.now() - startedAt;
  const appCpu = cpuSince(app.process.pid, appBefore);
  const appThreads = threadsSince(app.process.pid, threadsBefore);
  const simulatorCpu = simulator && simulatorBefore && cpuSince(simulator.process.pid, simulatorBefore);
  const relayed = (await metric(app.url, "sluice_tokens_total")) - tokensBefore;
  const ttfts = run.viewers.flatMap((viewer) => (viewer.ttftMs === undefined ? [] : [viewer.ttftMs]));
  return {
    tokens: relayed,
    appCpu,
    appThreads,
    simulatorCpu,
    rssPerStream: (median(plateau.rss) - idle.rssBytes) / streams,
    // The lowest sample is the closest to the live heap: the others hold garbage not yet collected.
    heapPerStream: (Math.min(...plateau.heap) - idle.heapBytes) / streams,
    plateauSamples: plateau.rss.length,
    ttftP50: percentile(ttfts, 50),
    ttftP99: percentile(ttfts, 99),
    errors: run.viewers.filter((viewer) => viewer.failure || viewer.outcome?.startsWith("error")).length,
    readsPerToken: run.viewers.reduce((sum, viewer) => sum + viewer.reads, 0) / relayed,
    wallMs,
  };
}

interface StopFigures {
  p50: number;
  p99: number;
  matched: number;
  errors: number;
}

/** Opens `stops` long streams, stops each once its tokens flow, and times Stop → simulator's abort. */
async function measureStop(app: Started, statsUrl: string): Promise<StopFigures> {
  await fetch(`${statsUrl}/sim/stats/reset`, { method: "POST" });
  const run = runViewers(app.url, settings.stops, (i) => prompt(i, 10_000, settings.tps, 0), 120_000);
  await Promise.race([Promise.all(run.viewers.map((viewer) => viewer.firstToken.promise)), Bun.sleep(30_000)]);
  const sentAt = new Map<string, number>();
  const deletes: Promise<unknown>[] = [];
  for (const viewer of run.viewers) {
    if (!viewer.streamId) continue;
    sentAt.set(viewer.streamId, performance.timeOrigin + performance.now());
    deletes.push(fetch(`${app.url}/api/streams/${viewer.streamId}`, { method: "DELETE" }).then((r) => r.text()));
    await Bun.sleep(STOP_SPACING_MS);
  }
  await Promise.all(deletes);
  await run.finished;
  await Bun.sleep(500);
  const response = await fetch(`${statsUrl}/sim/stats`);
  if (!response.ok) console.warn(`GET ${statsUrl}/sim/stats answered ${response.status}: no Stop latency`);
  const stats = (response.ok ? await response.json() : { cancellations: [] }) as {
    cancellations: { request_id: string; seen_at_ms: number }[];
  };
  const latencies = stats.cancellations.flatMap((record) => {
    const sent = sentAt.get(record.request_id);
    return sent === undefined ? [] : [record.seen_at_ms - sent];
  });
  const errors = run.viewers.filter((viewer) => viewer.failure || viewer.outcome !== "cancelled").length;
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), matched: latencies.length, errors };
}

// ---------------------------------------------------------------- a run, the report

async function runOnce(): Promise<RelayFigures & { stop: StopFigures; idle: Idle }> {
  const simulator = settings.embedded ? undefined : await startSimulator({}, settings.runtime);
  const app = await startApp(
    {
      ...(simulator ? { UPSTREAM_BASE_URL: `${simulator.url}/v1`, MODEL: "demo" } : {}),
      STREAM_RETENTION_MS: String(RETENTION_MS),
      MAX_ACTIVE_GENERATIONS: String(settings.streams * 2 + WARM_UP_STREAMS),
      ...(settings.appBunOptions ? { BUN_OPTIONS: settings.appBunOptions } : {}),
    },
    settings.runtime,
  );
  try {
    const idle = await warmUpAndIdle(app);
    const relay = await measureRelay(app, simulator, idle);
    const stop = await measureStop(app, (simulator ?? app).url);
    return { ...relay, stop, idle };
  } finally {
    await app.stop();
    await simulator?.stop();
  }
}

function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile; NaN for no values. */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function environment(): string {
  const deno = Bun.spawnSync([`${root}node_modules/.bin/deno`, "--version"])
    .stdout.toString()
    .split("\n")[0];
  const load = loadavg().map((value) => value.toFixed(2));
  return `${cpus()[0]?.model ?? "?"} × ${cpus().length}, Linux ${release()}, Bun ${Bun.version}, ${deno}; load ${load.join(" ")}`;
}

type Run = Awaited<ReturnType<typeof runOnce>>;

const perToken = (micros: number, tokens: number) => (micros / tokens).toFixed(1);
const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const ms = (value: number) => value.toFixed(1);

/** One line per figure: the value of each run, then their median. */
const ROWS: [string, (run: Run) => string][] = [
  ["tokens relayed", (r) => String(r.tokens)],
  ["app CPU µs/token user", (r) => perToken(r.appCpu.userUs, r.tokens)],
  ["app CPU µs/token kernel", (r) => perToken(r.appCpu.kernelUs, r.tokens)],
  ["app CPU µs/token total", (r) => perToken(r.appCpu.userUs + r.appCpu.kernelUs, r.tokens)],
  ["sim CPU µs/token user", (r) => (r.simulatorCpu ? perToken(r.simulatorCpu.userUs, r.tokens) : "-")],
  ["sim CPU µs/token kernel", (r) => (r.simulatorCpu ? perToken(r.simulatorCpu.kernelUs, r.tokens) : "-")],
  ["app RSS KiB/stream", (r) => kib(r.rssPerStream)],
  ["app heap KiB/stream", (r) => kib(r.heapPerStream)],
  ["idle RSS MiB", (r) => (r.idle.rssBytes / 2 ** 20).toFixed(1)],
  ["plateau samples", (r) => String(r.plateauSamples)],
  ["TTFT p50 ms", (r) => ms(r.ttftP50)],
  ["TTFT p99 ms", (r) => ms(r.ttftP99)],
  ["relay errors", (r) => String(r.errors)],
  ["client chunks/token", (r) => r.readsPerToken.toFixed(2)],
  ["wall ms", (r) => ms(r.wallMs)],
  ["Stop→sim p50 ms", (r) => ms(r.stop.p50)],
  ["Stop→sim p99 ms", (r) => ms(r.stop.p99)],
  ["Stop matched", (r) => `${r.stop.matched}/${settings.stops}`],
  ["Stop errors", (r) => String(r.stop.errors)],
];

function report(runs: Run[]): void {
  const mode = settings.embedded ? "embedded simulator" : "standalone simulator";
  console.log(`\nrelay bench: app on ${settings.runtime}, ${mode}`);
  console.log(`  ${settings.streams} streams × ${settings.tokens} tokens at ${settings.tps} tok/s`);
  console.log(`  simulator TTFT ${settings.ttftMs} ms; ${settings.stops} Stops`);
  console.log(`  ${environment()}\n`);
  const header = ["figure".padEnd(26), ...runs.map((_, i) => `run ${i + 1}`.padStart(9)), "median".padStart(9)];
  console.log(header.join(""));
  for (const [name, cell] of ROWS) {
    const cells = runs.map(cell);
    const numbers = cells.map(Number).filter((value) => !Number.isNaN(value));
    const middle = numbers.length === cells.length ? String(Number(median(numbers).toFixed(1))) : "-";
    console.log([name.padEnd(26), ...cells.map((c) => c.padStart(9)), middle.padStart(9)].join(""));
  }
  console.log("\napp CPU µs/token by thread:");
  runs.forEach((run, i) => {
    const threads = [...run.appThreads].filter(([, micros]) => micros > 0).sort((a, b) => b[1] - a[1]);
    console.log(
      `  run ${i + 1}: ${threads.map(([name, micros]) => `${name} ${perToken(micros, run.tokens)}`).join(", ")}`,
    );
  });
}

const runs: Run[] = [];
for (let run = 0; run < settings.runs; run++) {
  console.log(`run ${run + 1}/${settings.runs} (load ${loadavg()[0]?.toFixed(2)})…`);
  runs.push(await runOnce());
}
report(runs);
// Pending AbortSignal.timeout timers would keep the process alive until they fire.
process.exit(0);
