/**
 * Prometheus metrics of this process. One registry per app instance, so tests can build several.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { EndEvent } from "../contract.ts";
import type { GenerationObserver } from "../generation/observer.ts";
import type { UpstreamCallObserver } from "../upstream/call-observer.ts";

export interface Metrics {
  registry: Registry;
  /** What every generation reports into. */
  observer: GenerationObserver;
  /** What every `/v1` pass-through call reports into. */
  passThrough: UpstreamCallObserver;
  /** Where `sluice_streams_active` (open SSE connections: API streams, /chat, pass-through streams) reads its value at scrape time. */
  openStreamsFrom(read: () => number): void;
  /** Counts one refused request, by the limit that refused it (`sluice_rejected_total{reason}`). */
  rejected(reason: string): void;
  /** Where `sluice_retained_bytes` reads its value at scrape time (the generation registry). */
  retainedBytesFrom(read: () => number): void;
  /** Where `sluice_inflight_bytes` reads its value at scrape time (the in-flight budget). */
  inflightBytesFrom(read: () => number): void;
  /** Where `sluice_memory_collections` reads its value at scrape time (memory-collector.ts). */
  memoryCollectionsFrom(read: () => number): void;
  /** Where `sluice_young_collections` reads its value at scrape time (young-garbage.ts). */
  youngCollectionsFrom(read: () => number): void;
  /** Where the cluster gauges read their values at scrape time (with REDIS_URL). */
  clusterFrom(read: () => ClusterFigures): void;
  /** Counts one finished tool call by its status (ok, a tool error code, cancelled) and times it. */
  toolCall(status: string, seconds: number): void;
}

export interface ClusterFigures {
  /** Generations of other instances followed here (`sluice_cluster_followed_generations`). */
  followed: number;
  /** Generations of this instance being copied into Redis (`sluice_cluster_mirrored_generations`). */
  mirrored: number;
}

/** The process's registry: the runtime's own metrics, less the ones too costly to collect. */
function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "sluice_" });
  // Per heap space figures come from v8.getHeapSpaceStatistics(), which on Bun walks the whole
  // heap, a cost that grows with the live objects and stalls every stream at each scrape (it
  // showed in the relay benchmark's profile). Heap size and use remain, from process.memoryUsage().
  for (const figure of ["total", "used", "available"])
    registry.removeSingleMetric(`sluice_nodejs_heap_space_size_${figure}_bytes`);
  return registry;
}

/** `sluice_retained_bytes`: what retained generations hold, read from `source` at scrape time. */
function clusterGauges(registry: Registry): (read: () => ClusterFigures) => void {
  let source: (() => ClusterFigures) | undefined;
  const gauge = (name: string, help: string, pick: (figures: ClusterFigures) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        if (source) this.set(pick(source()));
      },
    });
  gauge("sluice_cluster_followed_generations", "Generations of other instances followed here.", (f) => f.followed);
  gauge(
    "sluice_cluster_mirrored_generations",
    "Generations of this instance being copied to Redis.",
    (f) => f.mirrored,
  );
  return (read) => {
    source = read;
  };
}

/** The gauges of what the server holds in memory, each read from the function given later. */
function memoryGauges(registry: Registry) {
  return {
    retainedBytesFrom: gaugeFrom(
      registry,
      "sluice_retained_bytes",
      "Memory held by retained generations, running and finished, against RETAINED_BYTES_MAX.",
    ),
    inflightBytesFrom: gaugeFrom(
      registry,
      "sluice_inflight_bytes",
      "Memory reserved by requests and model calls in flight, against INFLIGHT_BYTES_MAX.",
    ),
    memoryCollectionsFrom: gaugeFrom(
      registry,
      "sluice_memory_collections",
      "Collections run after large buffers were let go (request bodies, images), since the start.",
    ),
    youngCollectionsFrom: gaugeFrom(
      registry,
      "sluice_young_collections",
      "Eden collections run on a pace while many answers stream (Bun), since the start.",
    ),
  };
}

/** A gauge whose value is read from the function given later, at scrape time (0 until then). */
function gaugeFrom(registry: Registry, name: string, help: string): (read: () => number) => void {
  let source = () => 0;
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(source());
    },
  });
  return (read) => {
    source = read;
  };
}

/** `sluice_rejected_total{reason}`: every request a limit refused, as a function to call per refusal. */
function rejectionCounter(registry: Registry): (reason: string) => void {
  const rejected = new Counter({
    name: "sluice_rejected_total",
    help: "Requests refused by a limit, by reason (active_generations, open_streams, retained_bytes, draining, …).",
    labelNames: ["reason"],
    registers: [registry],
  });
  return (reason) => rejected.inc({ reason });
}

/** `sluice_tool_calls_total{status}` and `sluice_tool_call_seconds`: every MCP tool call. */
function toolCallInstruments(registry: Registry): (status: string, seconds: number) => void {
  const calls = new Counter({
    name: "sluice_tool_calls_total",
    help: "Tool calls ended, by status: ok, cancelled, or the tool error code.",
    labelNames: ["status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "sluice_tool_call_seconds",
    help: "Time of one tool call, from the request to its result or failure.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return (status, seconds) => {
    calls.inc({ status });
    duration.observe(seconds);
  };
}

/** Creates the registry and its instruments (`sluice_*`, plus the runtime's process metrics). */
export function createMetrics(): Metrics {
  const registry = processRegistry();
  const registers = [registry];
  const generationsActive = new Gauge({
    name: "sluice_generations_active",
    help: "Generations running now.",
    registers,
  });
  const generations = new Counter({
    name: "sluice_generations_total",
    help: "Generations ended, by outcome (finish reason, or error).",
    labelNames: ["outcome"],
    registers,
  });
  // Counted in a plain number and handed over at scrape time: prom-client's inc() per token
  // (label hashing, bookkeeping) was ~1% of the relay's JS time in a profile; a scrape is rare.
  let relayedTokens = 0;
  new Counter({
    name: "sluice_tokens_total",
    help: "Content tokens relayed from the model.",
    registers,
    collect() {
      this.reset();
      this.inc(relayedTokens);
    },
  });
  const ttft = new Histogram({
    name: "sluice_ttft_seconds",
    help: "Time from the upstream call to its first content token.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const cancelled = new Counter({
    name: "sluice_upstream_cancelled_total",
    help: "Upstream calls aborted, by reason: stop, disconnect, timeout, shutdown.",
    labelNames: ["reason"],
    registers,
  });
  const upstreamErrors = new Counter({
    name: "sluice_upstream_errors_total",
    help: "Upstream calls that failed, by error code.",
    labelNames: ["code"],
    registers,
  });
  for (const reason of ["stop", "disconnect", "timeout", "shutdown", "storage"]) cancelled.inc({ reason }, 0);

  const passThrough: UpstreamCallObserver = {
    firstToken: (ms) => ttft.observe(ms / 1000),
    token: () => {
      relayedTokens++;
    },
    cancelled: (reason) => cancelled.inc({ reason }),
    failed: (code) => upstreamErrors.inc({ code }),
  };
  const observer: GenerationObserver = {
    ...passThrough,
    started: () => generationsActive.inc(),
    ended(end: EndEvent) {
      generationsActive.dec();
      generations.inc({ outcome: end.type === "done" ? end.finish_reason : "error" });
    },
  };
  return {
    registry,
    observer,
    passThrough,
    rejected: rejectionCounter(registry),
    ...memoryGauges(registry),
    clusterFrom: clusterGauges(registry),
    toolCall: toolCallInstruments(registry),
    openStreamsFrom: gaugeFrom(registry, "sluice_streams_active", "Open event-stream connections."),
  };
}
