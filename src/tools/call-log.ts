/**
 * One log line per tool call: which tool, for which answer, how it ended and how long it took,
 * and its arguments without secrets. An argument whose name says it holds a credential is masked
 * whatever its value, and every secret Sluice knows (log.ts: keys, MCP header values) is masked
 * wherever it appears, so an operator can audit what the model asked for without the log
 * becoming a place where credentials collect.
 */
import { mask } from "../log.ts";
import type { ToolCallRequest, ToolOutcome } from "./tool-call.ts";

const SECRET_NAME = /pass(word|phrase)?|secret|token|api[-_]?key|auth|credential|cookie|session|private[-_]?key/i;
// The log keeps the start of long arguments: enough to audit, not a copy of a document.
const ARGUMENTS_LOGGED = 1_000;

function maskedValue(key: string, value: unknown): unknown {
  if (SECRET_NAME.test(key)) return "(masked)";
  if (Array.isArray(value)) return value.map((item) => maskedValue("", item));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, maskedValue(name, inner)]));
  return value;
}

/** The arguments as logged: credential-named fields masked, known secrets masked, cut. */
export function argumentsForLog(text: string): string {
  let shown = text;
  try {
    shown = JSON.stringify(maskedValue("", JSON.parse(text)));
  } catch {
    // Not JSON: logged as written, known secrets masked all the same.
  }
  return mask(shown).slice(0, ARGUMENTS_LOGGED);
}

/** Writes the line for one finished call. */
export function logToolCall(
  call: ToolCallRequest,
  server: string | undefined,
  outcome: ToolOutcome,
  milliseconds: number,
  cancelled: boolean,
): void {
  const status = cancelled ? "cancelled" : (outcome.error?.code ?? "ok");
  const line = {
    level: outcome.error && !cancelled ? "warn" : "info",
    msg: "tool call",
    generation: call.generation,
    tool: call.name,
    server: server ?? null,
    status,
    ms: Math.round(milliseconds),
    arguments: argumentsForLog(call.arguments),
  };
  console.log(JSON.stringify(line));
}
