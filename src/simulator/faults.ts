/**
 * The failures a request can ask for with `/sim fault=…`, each one a way real model servers
 * have been seen to fail: an error status, a connection cut mid-answer, no answer at all, a
 * long pause, a broken chunk.
 */
import { openAIErrorResponse, SimulatorRequestError } from "./errors.ts";

export type Fault =
  /** HTTP error before the first byte. */
  | { kind: "status"; status: number }
  /** The connection is cut after `after` tokens (no final chunk, no `[DONE]`). */
  | { kind: "drop"; after: number }
  /** Never a byte, not even headers, until the client gives up. */
  | { kind: "hang" }
  /** After `after` tokens, silence for `ms`, then the answer goes on. */
  | { kind: "stall"; after: number; ms: number }
  /** After `after` tokens, a chunk that is not JSON, then the stream ends. */
  | { kind: "malformed"; after: number };

/**
 * A cut is a TCP reset, and a client that has not read the last bytes before the reset comes
 * may never see them (Bun's fetch drops them; a raw socket reader always got them). With Bun's
 * fetch, shorter waits before the cut lost tokens, more often under concurrent requests; this one
 * lost none. (Deno's server also discards chunks still queued when the body errors in the same
 * tick.) So `drop:N` really delivers N tokens.
 */
export const DROP_FLUSH_MS = 50;

const FAULT_SYNTAX = "expected status:NNN, drop:N, hang, stall:N:MS or malformed:N";

function count(raw: string | undefined, spec: string, max = 100_000): number {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) > max) {
    throw new SimulatorRequestError(`/sim fault="${spec}": ${FAULT_SYNTAX}`, "messages");
  }
  return Number(raw);
}

/** Parses the value of `fault=` in a `/sim` line; throws a 400 {@link SimulatorRequestError} when malformed. */
export function parseFault(spec: string): Fault {
  const [kind, first, second, ...extra] = spec.split(":");
  const arity = { status: 1, drop: 1, hang: 0, stall: 2, malformed: 1 }[kind ?? ""];
  const given = [first, second, ...extra].filter((part) => part !== undefined).length;
  if (arity === undefined || given !== arity) {
    throw new SimulatorRequestError(`/sim fault="${spec}": ${FAULT_SYNTAX}`, "messages");
  }
  switch (kind) {
    case "status": {
      const status = count(first, spec, 599);
      // The Response constructor only takes 200–599, and a fault is an error by definition.
      if (status < 400) throw new SimulatorRequestError(`/sim fault="${spec}": status must be 400..599`, "messages");
      return { kind, status };
    }
    case "drop":
      return { kind, after: count(first, spec) };
    case "stall":
      return { kind, after: count(first, spec), ms: count(second, spec, 600_000) };
    case "malformed":
      return { kind, after: count(first, spec) };
    default:
      return { kind: "hang" };
  }
}

/** The response for a `status:NNN` fault, shaped like the real API's error for that status. */
export function statusFaultResponse(status: number, requestId: string): Response {
  // OpenAI's 429 carries a retry hint; clients (openai-node's retry loop) read `retry-after`.
  const headers: Record<string, string> = {
    "x-request-id": requestId,
    ...(status === 429 ? { "retry-after": "1" } : {}),
  };
  const code = status === 429 ? "rate_limit_exceeded" : "simulated_fault";
  return openAIErrorResponse(status, `Simulated fault: status ${status}`, null, code, headers);
}
