/**
 * Prometheus metrics of this process. One registry per app instance, so tests can build several.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { DoneEvent, ErrorEvent } from "../generation/events.ts";
import type { CancelReason } from "../generation/generation.ts";
import type { GenerationObserver } from "../generation/observer.ts";

export interface Metrics {
  registry: Registry;
  /** What every generation reports into. */
  observer: GenerationObserver;
  /** Open SSE connections (API streams, /chat, and pass-through streams). */
  streamOpened(): () => void;
  passThroughCancelled(reason: CancelReason): void;
  passThroughTokens(count: number): void;
  passThroughFirstToken(ttftMs: number): void;
  upstreamError(code: string): void;
}

/** Creates the registry and its instruments (`sluice_*`, plus the runtime's process metrics). */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "sluice_" });
  const streamsActive = new Gauge({
    name: "sluice_streams_active",
    help: "Open event-stream connections.",
    registers: [registry],
  });
  const generationsActive = new Gauge({
    name: "sluice_generations_active",
    help: "Generations running now.",
    registers: [registry],
  });
  const generations = new Counter({
    name: "sluice_generations_total",
    help: "Generations ended, by outcome (finish reason, or error).",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const tokens = new Counter({
    name: "sluice_tokens_total",
    help: "Content tokens relayed from the model.",
    registers: [registry],
  });
  const ttft = new Histogram({
    name: "sluice_ttft_seconds",
    help: "Time from the upstream call to its first content token.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const cancelled = new Counter({
    name: "sluice_upstream_cancelled_total",
    help: "Upstream calls aborted, by reason: stop, disconnect, timeout, shutdown.",
    labelNames: ["reason"],
    registers: [registry],
  });
  const upstreamErrors = new Counter({
    name: "sluice_upstream_errors_total",
    help: "Upstream calls that failed, by error code.",
    labelNames: ["code"],
    registers: [registry],
  });
  for (const reason of ["stop", "disconnect", "timeout", "shutdown"]) cancelled.inc({ reason }, 0);

  const observer: GenerationObserver = {
    started: () => generationsActive.inc(),
    firstToken: (ms) => ttft.observe(ms / 1000),
    token: () => tokens.inc(),
    upstreamCancelled: (reason) => cancelled.inc({ reason }),
    ended(end: DoneEvent | ErrorEvent) {
      generationsActive.dec();
      generations.inc({ outcome: end.type === "done" ? end.finish_reason : "error" });
      if (end.type === "error") upstreamErrors.inc({ code: end.code });
    },
  };
  return {
    registry,
    observer,
    streamOpened() {
      streamsActive.inc();
      let open = true;
      return () => {
        if (open) streamsActive.dec();
        open = false;
      };
    },
    passThroughCancelled: (reason) => cancelled.inc({ reason }),
    passThroughTokens: (count) => tokens.inc(count),
    passThroughFirstToken: (ms) => ttft.observe(ms / 1000),
    upstreamError: (code) => upstreamErrors.inc({ code }),
  };
}
