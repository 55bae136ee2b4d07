/**
 * Reading event streams in tests: real sockets, the load tools' SSE reader (an independent spec
 * parser, not the server's encoder), and bounded reads (a stalled stream fails the test instead
 * of hanging it).
 */
import type { EventSourceMessage } from "eventsource-parser";
import { fetchSimStats, type SimStats } from "../../loadtest/lib/server-counters.ts";
import { readEvents } from "../../loadtest/lib/sse-reader.ts";

export interface ReadEvent extends EventSourceMessage {
  /** Milliseconds since the request was sent. */
  at: number;
}

export interface StreamRead {
  status: number;
  headers: Headers;
  events: ReadEvent[];
  comments: string[];
  /** Each body chunk's arrival time and byte length. */
  reads: { at: number; bytes: number }[];
  retry: number | undefined;
  /** How the read ended: the server closed, `stop` said so, or the time ran out. */
  ended: "closed" | "stopped" | "timeout";
}

export interface ReadOptions {
  /** Gives up after this long (the test then sees ended: "timeout"). */
  timeoutMs?: number;
  /** Stops reading (and disconnects) once this returns true. */
  stopWhen?: (event: ReadEvent, events: ReadEvent[]) => boolean;
  headers?: Record<string, string>;
}

/** Opens `url` and reads its event stream until it closes, `stopWhen` holds, or the time runs out. */
export async function readStream(url: string, options: ReadOptions = {}): Promise<StreamRead> {
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort("timeout"), options.timeoutMs ?? 15_000);
  const read: StreamRead = {
    status: 0,
    headers: new Headers(),
    events: [],
    comments: [],
    reads: [],
    retry: undefined,
    ended: "closed",
  };
  try {
    const response = await fetch(url, { headers: options.headers ?? {}, signal: controller.signal });
    read.status = response.status;
    read.headers = response.headers;
    if (!response.body) return read;
    const end = await readEvents(response.body, {
      onRead: (at, bytes) => read.reads.push({ at: at - started, bytes }),
      onEvent({ at, read: _chunk, ...message }) {
        const seen = { ...message, at: at - started };
        read.events.push(seen);
        return options.stopWhen?.(seen, read.events) ? false : undefined;
      },
      onComment: (comment) => read.comments.push(comment.trim()),
      onRetry: (retry) => {
        read.retry = retry;
      },
    });
    if (end === "stopped") {
      read.ended = "stopped";
      // Cancelling the body may leave the socket to the pool; aborting closes it, as a client that leaves.
      controller.abort("stopped");
    }
  } catch (error) {
    if (controller.signal.reason === "timeout") read.ended = "timeout";
    else if (controller.signal.reason !== "stopped") throw error;
  } finally {
    clearTimeout(timer);
  }
  return read;
}

/** The text of the token events, joined. */
export function joinedText(events: EventSourceMessage[]): string {
  return events
    .filter((event) => event.event === "token")
    .map((event) => event.data)
    .join("");
}

/**
 * POST /api/chat with one user message; the absolute URL of its stream. `ca`: a certificate
 * authority to trust for https:// (a test's self-signed certificate).
 */
export async function startChat(base: string, content: string, ca?: string): Promise<string> {
  const response = await fetch(`${base}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content }] }),
    signal: AbortSignal.timeout(10_000),
    ...(ca ? { tls: { ca } } : {}),
  });
  if (response.status !== 202) throw new Error(`POST /api/chat → ${response.status}: ${await response.text()}`);
  const { streamUrl } = (await response.json()) as { streamUrl: string };
  return new URL(streamUrl, base).toString();
}

/** The simulator's counters (GET /sim/stats at `base`'s origin). */
export function simulatorStats(base: string): Promise<SimStats> {
  return fetchSimStats(base);
}

/** One sample of a Prometheus metric (labels as `name{a="b"}`), or 0 when absent. */
export async function metricValue(base: string, sample: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await Bun.sleep(25);
  }
  return check();
}
