/**
 * The one MCP server of the tests, benches and the native stack, written with the official SDK
 * (`@modelcontextprotocol/sdk`, the same one Sluice's client uses) over Streamable HTTP, on a free
 * port of 127.0.0.1. Its tools are what tool answers must cope with:
 *
 * - `fast`  echoes `text` at once (as the tool wrote it: markup stays markup, for the page's tests);
 * - `slow`  waits `ms` (default 30 s) unless the call is cancelled, which it records;
 * - `fail`  reports an error (an `isError` result with `message`);
 * - `large` returns `bytes` bytes of text.
 *
 * Every call is recorded (tool, arguments, whether it was cancelled), and the server may require
 * headers, as an operator's would require a key.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

export interface ToolServerOptions {
  /** Refuse (401) any request without these header values. */
  requiredHeaders?: Record<string, string>;
  /** A fixed port (default: a free one). */
  port?: number;
}

export interface RecordedCall {
  tool: string;
  arguments: Record<string, unknown>;
  /** epoch ms */
  startedAt: number;
  /** epoch ms when it answered or was cancelled; undefined while it runs. */
  endedAt: number | undefined;
  /** The client cancelled it (`notifications/cancelled`) before it answered. */
  cancelled: boolean;
}

export interface ToolServer {
  /** The Streamable HTTP endpoint, for an MCP servers file. */
  url: string;
  /** Every call, in the order they started. */
  calls: RecordedCall[];
  /** Requests refused for a missing header. */
  refused(): number;
  stop(): Promise<void>;
}

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

function record(calls: RecordedCall[], tool: string, args: Record<string, unknown>): RecordedCall {
  const call: RecordedCall = { tool, arguments: args, startedAt: Date.now(), endedAt: undefined, cancelled: false };
  calls.push(call);
  return call;
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/** One session's server: the four tools, recording into `calls`. */
function toolsServer(calls: RecordedCall[]): McpServer {
  const server = new McpServer({ name: "sluice-test-tools", version: "1" });
  server.registerTool(
    "fast",
    { description: "Echoes the text back at once.", inputSchema: { text: z.string().default("") } },
    async (args) => {
      record(calls, "fast", args).endedAt = Date.now();
      return text(`echo: ${args.text}`);
    },
  );
  server.registerTool(
    "slow",
    { description: "Waits a while, then answers.", inputSchema: { ms: z.number().int().min(0).default(30_000) } },
    async (args, extra) => {
      const call = record(calls, "slow", args);
      const finished = await sleep(args.ms, extra.signal);
      call.endedAt = Date.now();
      call.cancelled = !finished;
      return text(`slept ${args.ms} ms`);
    },
  );
  server.registerTool(
    "fail",
    { description: "Always fails.", inputSchema: { message: z.string().default("the tool broke on purpose") } },
    async (args) => {
      record(calls, "fail", args).endedAt = Date.now();
      return { ...text(args.message), isError: true };
    },
  );
  server.registerTool(
    "large",
    { description: "Returns a large text.", inputSchema: { bytes: z.number().int().min(0).default(200_000) } },
    async (args) => {
      record(calls, "large", args).endedAt = Date.now();
      return text("0123456789abcdef".repeat(Math.ceil(args.bytes / 16)).slice(0, args.bytes));
    },
  );
  return server;
}

/** Starts the tool server; one MCP session per client connection, as the protocol keeps them. */
export function startToolServer(options: ToolServerOptions = {}): ToolServer {
  const calls: RecordedCall[] = [];
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  let refused = 0;
  const required = Object.entries(options.requiredHeaders ?? {});
  const http = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    // A slow call holds its request open for as long as it runs.
    idleTimeout: 0,
    async fetch(request) {
      if (required.some(([name, value]) => request.headers.get(name) !== value)) {
        refused++;
        return new Response("missing credentials", { status: 401 });
      }
      const session = request.headers.get("mcp-session-id");
      const known = session ? sessions.get(session) : undefined;
      if (known) return known.handleRequest(request);
      if (request.method !== "POST") return new Response("no such session", { status: 404 });
      const body = await request.json().catch(() => undefined);
      if (!isInitializeRequest(body)) return new Response("no such session", { status: 404 });
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, transport),
        onsessionclosed: (id) => void sessions.delete(id),
      });
      await toolsServer(calls).connect(transport);
      return transport.handleRequest(request, { parsedBody: body });
    },
  });
  return {
    url: `http://127.0.0.1:${http.port}/mcp`,
    calls,
    refused: () => refused,
    async stop() {
      for (const transport of sessions.values()) await transport.close().catch(() => {});
      await http.stop(true);
    },
  };
}

/** Writes an MCP servers file (MCP_SERVERS_FILE) declaring `servers`; returns its path. */
export function writeServersFile(
  servers: { name: string; url: string; headers?: Record<string, string>; tools: "*" | string[] }[],
): string {
  const path = `${tmpdir()}/sluice-mcp-${crypto.randomUUID()}.json`;
  writeFileSync(path, JSON.stringify({ servers }));
  return path;
}
