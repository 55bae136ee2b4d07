/**
 * The `/sim` directive: the last user message may start with a line such as
 * `/sim ttft_ms=50 tps=20 tokens=40 fault=drop:5`, which overrides the simulator's settings for
 * that one request. The rest of the message (after the line's newline) is the prompt.
 *
 * `call=NAME[:ARGS]` (repeatable) asks for tool calls instead of text, as many rounds as
 * `tool_rounds=N` says (default 1); ARGS is JSON, percent-encoded where it holds a space.
 */
import { SimulatorRequestError } from "./errors.ts";
import { type Fault, parseFault } from "./faults.ts";

/** A tool call a directive asks for: the tool (offered name, or its tail after `__`) and its arguments. */
export interface DirectedCall {
  name: string;
  /** JSON text. */
  arguments: string;
}

export interface Directive {
  ttftMs?: number;
  tokensPerSecond?: number;
  tokens?: number;
  fault?: Fault;
  calls?: DirectedCall[];
  /** How many answers in a row ask for `calls` before the model answers in words. */
  toolRounds?: number;
  /** How the answer treats usage: `omit` sends none even when asked; `reject` refuses `stream_options` with a 400, as some older servers do. */
  usage?: UsageBehaviour;
}

export type UsageBehaviour = "send" | "omit" | "reject";
const USAGE_BEHAVIOURS: readonly string[] = ["send", "omit", "reject"];

const DIRECTIVE_LINE = /^\/sim(?:[ \t]([^\n]*))?(?:\n|$)/;

/**
 * The most one prompt may ask for. A directive is typed by whoever can send a prompt, so it must
 * not be able to make the simulator (and the app relaying it) hold or send without bound: a
 * million tokens at a million a second once swelled the app's memory many times over.
 */
export const DIRECTIVE_LIMITS = {
  tokens: 100_000,
  tokensPerSecond: 100_000,
  ttftMs: 600_000,
  calls: 32,
  toolRounds: 1_000,
} as const;

function number(key: string, raw: string, min: number, max: number, integer: boolean): number {
  const value = Number(raw);
  const valid = raw !== "" && Number.isFinite(value) && value >= min && value <= max;
  if (!valid || (integer && !Number.isInteger(value))) {
    const what = integer ? "a whole number" : "a number";
    throw new SimulatorRequestError(`/sim ${key}=${raw}: expected ${what} in ${min}..${max}`, "messages");
  }
  return value;
}

function applySetting(directive: Directive, setting: string): void {
  const [key = "", raw = ""] = setting.split("=", 2);
  if (!setting.includes("=")) throw new SimulatorRequestError(`/sim "${setting}": expected key=value`, "messages");
  if (key === "ttft_ms") directive.ttftMs = number(key, raw, 0, DIRECTIVE_LIMITS.ttftMs, true);
  // tps is the rate: fractions (0.5 = one token every 2 s) make sense; 0 would never finish.
  else if (key === "tps") directive.tokensPerSecond = number(key, raw, 0.001, DIRECTIVE_LIMITS.tokensPerSecond, false);
  else if (key === "tokens") directive.tokens = number(key, raw, 0, DIRECTIVE_LIMITS.tokens, true);
  else if (key === "fault") directive.fault = parseFault(raw);
  else if (key === "call") addCall(directive, raw);
  else if (key === "tool_rounds") directive.toolRounds = number(key, raw, 1, DIRECTIVE_LIMITS.toolRounds, true);
  else if (key === "usage") directive.usage = usageBehaviour(raw);
  else
    throw new SimulatorRequestError(
      `/sim ${key}: unknown key (use ttft_ms, tps, tokens, fault, call, tool_rounds, usage)`,
      "messages",
    );
}

function usageBehaviour(raw: string): UsageBehaviour {
  if (!USAGE_BEHAVIOURS.includes(raw))
    throw new SimulatorRequestError(`/sim usage=${raw}: expected send, omit or reject`, "messages");
  return raw as UsageBehaviour;
}

/** `call=NAME` or `call=NAME:ARGS` (ARGS: JSON, percent-decoded). */
function addCall(directive: Directive, raw: string): void {
  const colon = raw.indexOf(":");
  const name = colon < 0 ? raw : raw.slice(0, colon);
  let args = "{}";
  try {
    args = colon < 0 ? "{}" : decodeURIComponent(raw.slice(colon + 1));
  } catch {
    throw new SimulatorRequestError(`/sim call=${raw}: the arguments are not percent-encoded text`, "messages");
  }
  directive.calls ??= [];
  const calls = directive.calls;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name) || calls.length >= DIRECTIVE_LIMITS.calls)
    throw new SimulatorRequestError(
      `/sim call=${raw}: expected a tool name, at most ${DIRECTIVE_LIMITS.calls} calls`,
      "messages",
    );
  calls.push({ name, arguments: args });
}

/** Splits a message into its `/sim` settings (empty when absent) and the prompt that follows. */
export function splitDirective(content: string): { directive: Directive; prompt: string } {
  const match = DIRECTIVE_LINE.exec(content);
  if (!match) return { directive: {}, prompt: content };
  const directive: Directive = {};
  // A CRLF-ended line leaves its CR in the settings; it is whitespace there.
  for (const setting of (match[1] ?? "").split(/\s+/)) {
    if (setting !== "") applySetting(directive, setting);
  }
  return { directive, prompt: content.slice(match[0].length) };
}
