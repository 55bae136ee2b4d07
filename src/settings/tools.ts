/**
 * The operator's MCP servers (MCP_SERVERS_FILE) and the bounds of a tool-calling answer. Read by
 * config.ts.
 */
import { choice, type Env, integer } from "../env-values.ts";
import { loadMcpServers, type McpServerSettings } from "../mcp-servers-file.ts";

/** The operator's MCP servers and how a tool-calling answer runs (src/tools/). */
export interface ToolSettings {
  /** From MCP_SERVERS_FILE; none: no conversation is offered tools. */
  servers: McpServerSettings[];
  /** Rounds of tool calls one answer may make (MAX_TOOL_STEPS); the model then answers in words. */
  maxSteps: number;
  /** One tool call's limit (TOOL_TIMEOUT_MS); past it the call is cancelled and reported. */
  timeoutMs: number;
  /** Whether a conversation that has not chosen gets tools (TOOLS_DEFAULT). */
  defaultOn: boolean;
  /** A tool's result is cut to this many UTF-8 bytes for the model, the stream and the store (TOOL_RESULT_MAX_BYTES). */
  resultMaxBytes: number;
}

/** MCP_SERVERS_FILE and the tool loop's bounds. */
export function loadToolSettings(env: Env): ToolSettings {
  return {
    servers: loadMcpServers(env.MCP_SERVERS_FILE?.trim() || undefined),
    // Each step is a model call and a round of tool calls: enough for search, read, answer chains.
    maxSteps: integer(env, "MAX_TOOL_STEPS", 8, 1, 100),
    timeoutMs: integer(env, "TOOL_TIMEOUT_MS", 60_000, 100, 3_600_000),
    defaultOn: (choice(env, "TOOLS_DEFAULT", ["on", "off"] as const) ?? "on") === "on",
    // The model reads every result again with each later step: this bounds what a tool adds to it.
    resultMaxBytes: integer(env, "TOOL_RESULT_MAX_BYTES", 65_536, 256, 16_777_216),
  };
}
