/**
 * Every tool the operator's MCP servers expose, as the model sees them (OpenAI function tools
 * named `<server>__<tool>`), and one tool call run to its outcome: a result cut to
 * TOOL_RESULT_MAX_BYTES, or a typed failure that the model and the user both get. What a call was
 * asked with is logged, secrets masked (call-log.ts).
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { ChatCompletionFunctionTool } from "openai/resources/chat/completions";
import type { ToolFailure } from "../contract.ts";
import { logError } from "../log.ts";
import type { McpServerSettings } from "../mcp-servers-file.ts";
import { cutToBytes, utf8Bytes } from "../utf8.ts";
import { logToolCall } from "./call-log.ts";
import { McpConnection } from "./mcp-connection.ts";
import { resultText } from "./result-text.ts";
import type { ToolCallRequest, ToolOutcome } from "./tool-call.ts";
import { ToolError } from "./tool-errors.ts";

export type { ToolCallRequest, ToolOutcome } from "./tool-call.ts";

export interface ToolboxSettings {
  /** TOOL_TIMEOUT_MS: one call, and one server's listing. */
  timeoutMs: number;
  /** TOOL_RESULT_MAX_BYTES. */
  resultMaxBytes: number;
  /** Told of each finished call: its status (ok, cancelled, a tool error code) and its time (the metrics). */
  observe?: ((status: string, seconds: number) => void) | undefined;
}

/** The tools offered to one answer, and where each name leads. */
export interface OfferedTools {
  tools: ChatCompletionFunctionTool[];
  byName: Map<string, { connection: McpConnection; tool: string }>;
}

// OpenAI function names: ^[a-zA-Z0-9_-]{1,64}$.
const NAME_LIMIT = 64;
const DESCRIPTION_LIMIT = 1_024;

function offeredName(server: string, tool: string): string {
  return `${server}__${tool.replace(/[^A-Za-z0-9_-]/g, "_")}`.slice(0, NAME_LIMIT);
}

function functionTool(name: string, tool: Tool): ChatCompletionFunctionTool {
  const description = (tool.description ?? tool.title ?? "").slice(0, DESCRIPTION_LIMIT);
  return { type: "function", function: { name, description, parameters: tool.inputSchema } };
}

function parseArguments(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ToolError("tool_arguments_invalid", "the arguments are not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ToolError("tool_arguments_invalid", "the arguments must be a JSON object");
  return parsed as Record<string, unknown>;
}

export class Toolbox {
  readonly #connections: McpConnection[];

  constructor(
    servers: McpServerSettings[],
    private readonly settings: ToolboxSettings,
  ) {
    this.#connections = servers.map((server) => new McpConnection(server));
  }

  /** Whether any server is declared: without one, no answer is offered tools. */
  get configured(): boolean {
    return this.#connections.length > 0;
  }

  /**
   * The tools of every server that answers; a server that cannot be reached (or was not a moment
   * ago) is left out of this answer and logged, never fatal to it.
   */
  async offer(signal: AbortSignal): Promise<OfferedTools> {
    const offered: OfferedTools = { tools: [], byName: new Map() };
    const options = { signal, timeoutMs: this.settings.timeoutMs };
    const listed = await Promise.all(
      this.#connections.map(async (connection) => {
        if (connection.down) return [];
        try {
          return await connection.tools(options);
        } catch (error) {
          if (!signal.aborted) logError("MCP server left out", { server: connection.settings.name, error });
          return [];
        }
      }),
    );
    listed.forEach((tools, index) => {
      const connection = this.#connections[index] as McpConnection;
      for (const tool of tools) {
        const name = offeredName(connection.settings.name, tool.name);
        if (offered.byName.has(name)) continue;
        offered.byName.set(name, { connection, tool: tool.name });
        offered.tools.push(functionTool(name, tool));
      }
    });
    return offered;
  }

  /** Runs one call to its outcome; never throws (a Stop shows as `signal` aborted). */
  async call(offered: OfferedTools, call: ToolCallRequest, signal: AbortSignal): Promise<ToolOutcome> {
    const startedAt = performance.now();
    const target = offered.byName.get(call.name);
    let outcome: ToolOutcome;
    try {
      if (!target) throw new ToolError("tool_unknown", `no tool named "${call.name.slice(0, 64)}" is offered`);
      const options = { signal, timeoutMs: this.settings.timeoutMs };
      const result = await target.connection.call(target.tool, parseArguments(call.arguments), options);
      const text = resultText(result);
      if (result.isError) throw new ToolError("tool_failed", this.#cut(text || "the tool reported an error").content);
      outcome = this.#cut(text);
    } catch (error) {
      const failure = this.#failure(error, signal);
      outcome = { content: failure.message, error: failure };
      // The user and the model get a generic message; why the server could not be reached is logged.
      if (failure.code === "tool_unavailable") logError("tool call failed", { error, tool: call.name });
    }
    const milliseconds = performance.now() - startedAt;
    logToolCall(call, target?.connection.settings.name, outcome, milliseconds, signal.aborted);
    this.settings.observe?.(signal.aborted ? "cancelled" : (outcome.error?.code ?? "ok"), milliseconds / 1000);
    return outcome;
  }

  /** Closes every connection (at shutdown). */
  async close(): Promise<void> {
    await Promise.all(this.#connections.map((connection) => connection.close()));
  }

  #cut(text: string): ToolOutcome {
    const budget = this.settings.resultMaxBytes;
    // Most results are far below the budget; only a large one pays for counting its bytes.
    if (text.length * 3 <= budget) return { content: text };
    const bytes = utf8Bytes(text);
    return bytes <= budget ? { content: text } : { content: cutToBytes(text, budget), full_bytes: bytes };
  }

  #failure(error: unknown, signal: AbortSignal): ToolFailure {
    if (error instanceof ToolError) return error.toFailure();
    if (signal.aborted) return { code: "tool_failed", message: "the call was cancelled" };
    const code = (error as { code?: unknown } | undefined)?.code;
    // -32001: the SDK's RequestTimeout, raised when TOOL_TIMEOUT_MS passed (it cancels the call).
    if (code === -32001)
      return { code: "tool_timeout", message: `the tool did not answer within ${this.settings.timeoutMs} ms` };
    // Other JSON-RPC errors are the tool server's own answer (bad arguments, no such tool).
    if (typeof code === "number" && code < 0)
      return { code: "tool_failed", message: this.#cut((error as Error).message).content };
    return { code: "tool_unavailable", message: "the tool's server could not be reached" };
  }
}
