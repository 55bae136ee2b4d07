/**
 * One subject's share of a side-by-side run: warm it up, take its idle RSS, open every stream of
 * `GET /chat?q=` at once, and measure what relaying them cost its process (CPU per token, user and
 * kernel, by thread; RSS per open stream on the plateau) and what the viewers saw (TTFT, errors).
 * Tokens are counted by the viewers, so every subject is divided by the same count.
 */
import { median, percentileOf } from "../../harness/measure/percentile.ts";
import {
  type CpuTime,
  cpuByThread,
  cpuByThreadSince,
  cpuTime,
  cpuTimeSince,
  rssBytes,
} from "../../harness/measure/proc.ts";
import { openStreamCount } from "../lib/stream-metrics.ts";
import { type ClassicViewer, runClassicViewers } from "./classic-viewers.ts";
import { SAMPLE_EVERY_MS, WARM_UP_STREAMS } from "./relay.ts";
import { type RunningSubject, SUBJECT_RETENTION_MS } from "./subjects.ts";
import { relayPrompt } from "./viewers.ts";

export interface LoadShape {
  streams: number;
  tokens: number;
  tps: number;
  ttftMs: number;
  /**
   * Streams of each warm-up round (100 by default). As many as `streams`: every server starts with
   * a model connection per stream kept alive, as in a steady state, rather than opening them all
   * in the measured burst; its idle RSS then holds those connections too.
   */
  warmUpStreams?: number;
  /**
   * Warm-up rounds (2 by default). Many more (`--warm-up-rounds 10` with `--warm-up 1000`) let the
   * JIT's last tier compile the code of every request, not only of every token, before the measured
   * stretch: the steady state of a server that has run for a while.
   */
  warmUpRounds?: number;
}

export interface SubjectFigures {
  tokens: number;
  cpu: CpuTime;
  /** CPU µs by thread name; threads that ended during the run are missing. */
  threads: Map<string, number>;
  simulatorCpu: CpuTime;
  /** Redis's CPU during the run, with REDIS_URL. */
  redisCpu: CpuTime | undefined;
  idleRssBytes: number;
  rssPerStream: number;
  plateauSamples: number;
  ttftP50: number;
  ttftP99: number;
  errors: number;
  wallMs: number;
  /** The server's process id, and the measured stretch (epoch ms): for a profile of the run (cpu-split.ts). */
  pid: number;
  measuredFromMs: number;
  measuredToMs: number;
}

/**
 * Two rounds of quick streams, then the idle RSS (median of five) once their generations are
 * gone; with `idle` false, no wait and no RSS (0), for a check that weighs CPU alone.
 */
async function warmUpAndIdle(
  subject: RunningSubject,
  idle: boolean,
  streams = WARM_UP_STREAMS,
  rounds = 2,
): Promise<number> {
  for (let round = 0; round < rounds; round++)
    await runClassicViewers(subject.server.url, streams, (i) => relayPrompt(-i, 50, 1000, 0), 60_000).finished;
  if (!idle) return 0;
  await Bun.sleep(SUBJECT_RETENTION_MS + 1_000);
  const samples: number[] = [];
  for (let sample = 0; sample < 5; sample++) {
    samples.push(rssBytes(subject.server.process.pid));
    await Bun.sleep(SAMPLE_EVERY_MS);
  }
  return median(samples);
}

/** RSS every tick while all `streams` are open. */
function samplePlateau(pid: number, streams: number) {
  const rss: number[] = [];
  const timer = setInterval(() => {
    if (openStreamCount() >= streams) rss.push(rssBytes(pid));
  }, SAMPLE_EVERY_MS);
  return { rss, stop: () => clearInterval(timer) };
}

function viewerFigures(viewers: ClassicViewer[]) {
  const ttfts = viewers.flatMap((viewer) => (viewer.ttftMs === undefined ? [] : [viewer.ttftMs]));
  return {
    tokens: viewers.reduce((sum, viewer) => sum + viewer.tokens, 0),
    ttftP50: percentileOf(ttfts, 50),
    ttftP99: percentileOf(ttfts, 99),
    errors: viewers.filter((viewer) => viewer.failed).length,
  };
}

/** Prints how the failed viewers failed, most common first, so a run with errors says why. */
function reportFailures(name: string, viewers: ClassicViewer[]): void {
  const reasons = new Map<string, number>();
  for (const viewer of viewers) {
    if (!viewer.failed) continue;
    const reason = (viewer.failure ?? viewer.outcome ?? "no end").slice(0, 160);
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5))
    console.error(`  ${name}: ${count} viewer(s) failed: ${reason}`);
}

/** Warms `subject` up, then relays `shape` through it and measures; `idle` false skips the memory figures. */
export async function measureSubject(subject: RunningSubject, shape: LoadShape, idle = true): Promise<SubjectFigures> {
  const pid = subject.server.process.pid;
  const idleRssBytes = await warmUpAndIdle(subject, idle, shape.warmUpStreams, shape.warmUpRounds);
  const before = cpuTime(pid);
  const threadsBefore = cpuByThread(pid);
  const simulatorBefore = cpuTime(subject.simulator.process.pid);
  const redisBefore = subject.redis && cpuTime(subject.redis.pid());
  const startedAt = performance.now();
  const measuredFromMs = performance.timeOrigin + startedAt;
  const timeoutMs = (shape.ttftMs + (shape.tokens * 1000) / shape.tps) * 3 + 30_000;
  const question = (i: number) => relayPrompt(i, shape.tokens, shape.tps, shape.ttftMs);
  const run = runClassicViewers(subject.server.url, shape.streams, question, timeoutMs);
  const plateau = samplePlateau(pid, shape.streams);
  await run.finished;
  const measuredToMs = performance.timeOrigin + performance.now();
  plateau.stop();
  reportFailures(subject.name, run.viewers);
  return {
    cpu: cpuTimeSince(pid, before),
    threads: cpuByThreadSince(pid, threadsBefore),
    simulatorCpu: cpuTimeSince(subject.simulator.process.pid, simulatorBefore),
    redisCpu: subject.redis && redisBefore && cpuTimeSince(subject.redis.pid(), redisBefore),
    idleRssBytes,
    rssPerStream: (median(plateau.rss) - idleRssBytes) / shape.streams,
    plateauSamples: plateau.rss.length,
    ...viewerFigures(run.viewers),
    wallMs: performance.now() - startedAt,
    pid,
    measuredFromMs,
    measuredToMs,
  };
}
