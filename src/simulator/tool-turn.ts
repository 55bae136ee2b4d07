/**
 * The simulator as a tool-calling model. A `/sim call=…` line asks for tool calls, as many
 * answers in a row as `tool_rounds` says, counted by the assistant messages with tool calls since
 * the question; then, and whenever tool results follow the question, it answers in words that
 * begin by quoting the results, so a test can see what the model was told. Like a real model, it
 * calls tools only when some are offered, and never under `tool_choice: "none"`.
 */
import type { DirectedCall, Directive } from "./directive.ts";
import type { ChatRequest, WireMessage } from "./request.ts";

/** One tool call of a simulated answer. */
export interface SimulatedCall {
  id: string;
  name: string;
  /** JSON text. */
  arguments: string;
}

/** What a request's tool turn is: calls to ask for, or results to speak of (either may be empty). */
export interface ToolTurn {
  calls: SimulatedCall[];
  /** The opening of an answer that follows tool results; undefined when none came since the question. */
  results: string | undefined;
}

// Each result is quoted this far: enough to tell one from another.
const QUOTED = 200;

/** The offered tool a directive means: its exact name, or the one whose name ends in `__<name>`. */
function offeredName(name: string, offered: readonly string[]): string {
  if (offered.includes(name)) return name;
  const tails = offered.filter((tool) => tool.endsWith(`__${name}`));
  return tails.length === 1 ? (tails[0] as string) : name;
}

function quoteResults(since: WireMessage[]): string | undefined {
  const results = since.filter((message) => message.role === "tool");
  if (results.length === 0) return undefined;
  const lines = results.map((message, index) => `[${index + 1}] ${message.content.slice(0, QUOTED)}`);
  return `Tool results:\n${lines.join("\n")}\n\n`;
}

function calls(directed: DirectedCall[], offered: readonly string[], round: number): SimulatedCall[] {
  return directed.map((call, index) => ({
    id: `call_${round}_${index + 1}`,
    name: offeredName(call.name, offered),
    arguments: call.arguments,
  }));
}

/** The tool turn of `request` (its `messages` without the `/sim` line) under `directive`. */
export function toolTurn(request: ChatRequest, messages: WireMessage[], directive: Directive): ToolTurn {
  const question = messages.findLastIndex((message) => message.role === "user");
  const since = messages.slice(question + 1);
  const rounds = since.filter((message) => message.role === "assistant" && (message.toolCalls ?? 0) > 0).length;
  const offered = request.tools ?? [];
  const asks = directive.calls && offered.length > 0 && !request.toolsRefused;
  const more = rounds < (directive.toolRounds ?? 1);
  return {
    calls: asks && more ? calls(directive.calls ?? [], offered, rounds + 1) : [],
    results: quoteResults(since),
  };
}
