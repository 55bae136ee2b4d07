/**
 * One operator-declared MCP server, reached with the official SDK's client over Streamable HTTP.
 * The connection opens at the first need and is shared by every answer of this instance (the
 * protocol numbers its requests); it is opened again after it broke. The server's tool list is
 * kept until the server says it changed, or for a minute, and a server that could not be reached
 * is not asked again for a few seconds, so an answer does not wait on a server known to be down.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { McpServerSettings } from "../mcp-servers-file.ts";

// Tools rarely change; a server that does not announce a change is listed again after this long.
const TOOLS_KEPT_MS = 60_000;
// A server found unreachable is left out of answers for this long before it is tried again.
const DOWN_FOR_MS = 5_000;

/**
 * The SDK's client, transport and schemas, loaded at the first connection: with its schema
 * libraries it is the largest code Sluice could load (about 3.7 MB of heap), and an instance
 * without MCP servers never needs it. Every collection's threshold grows with the heap it keeps.
 */
function loadSdk() {
  return Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]);
}

export interface CallOptions {
  signal: AbortSignal;
  timeoutMs: number;
}

export class McpConnection {
  #client: Promise<Client> | undefined;
  #tools: { listed: Tool[]; at: number } | undefined;
  #downUntil = 0;

  constructor(readonly settings: McpServerSettings) {}

  /** Whether the last attempt to reach the server failed a moment ago. */
  get down(): boolean {
    return performance.now() < this.#downUntil;
  }

  /** The server's tools that the operator exposes. Throws what connecting or listing throws. */
  async tools(options: CallOptions): Promise<Tool[]> {
    const kept = this.#tools;
    if (kept && performance.now() - kept.at < TOOLS_KEPT_MS) return kept.listed;
    const client = await this.#connect(options);
    const listed: Tool[] = [];
    let cursor: string | undefined;
    try {
      do {
        const page = await client.listTools(cursor ? { cursor } : undefined, this.#requestOptions(options));
        listed.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
    } catch (error) {
      this.#failed(error);
      throw error;
    }
    const exposed = this.settings.tools;
    const tools = exposed === "*" ? listed : listed.filter((tool) => exposed.includes(tool.name));
    this.#tools = { listed: tools, at: performance.now() };
    return tools;
  }

  /**
   * Calls `tool`. Aborting `options.signal`, or its timeout, cancels the request on the server
   * (`notifications/cancelled`, which the SDK sends). Throws what the SDK throws.
   */
  async call(tool: string, args: Record<string, unknown>, options: CallOptions): Promise<CallToolResult> {
    const client = await this.#connect(options);
    try {
      return (await client.callTool(
        { name: tool, arguments: args },
        undefined,
        this.#requestOptions(options),
      )) as CallToolResult;
    } catch (error) {
      this.#failed(error);
      throw error;
    }
  }

  /** Closes the connection (at shutdown). */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await (await client?.catch(() => undefined))?.close().catch(() => {});
  }

  #requestOptions(options: CallOptions) {
    return { signal: options.signal, timeout: options.timeoutMs };
  }

  #connect(options: CallOptions): Promise<Client> {
    this.#client ??= this.#open(options).catch((error: unknown) => {
      this.#client = undefined;
      this.#downUntil = performance.now() + DOWN_FOR_MS;
      throw error;
    });
    return this.#client;
  }

  async #open(options: CallOptions): Promise<Client> {
    const [{ Client }, { StreamableHTTPClientTransport }, { ToolListChangedNotificationSchema }] = await loadSdk();
    const transport = new StreamableHTTPClientTransport(new URL(this.settings.url), {
      requestInit: { headers: this.settings.headers },
    });
    const client = new Client({ name: "sluice", version: "1" }, { capabilities: {} });
    client.onclose = () => this.#forget(client);
    // Errors on the server's own stream (the optional GET) are the transport's to retry; a broken
    // request surfaces where it was made.
    client.onerror = () => {};
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      this.#tools = undefined;
    });
    await client.connect(transport, this.#requestOptions(options));
    return client;
  }

  /** A request failed: a protocol answer leaves the connection as it is, anything else drops it. */
  #failed(error: unknown): void {
    if (isProtocolAnswer(error)) return;
    const client = this.#client;
    this.#client = undefined;
    this.#tools = undefined;
    void client?.then((open) => open.close()).catch(() => {});
  }

  #forget(client: Client): void {
    // Also called while `client` is still connecting (a failed connect closes it): that
    // connection's own rejection is handled where it was awaited.
    void this.#client?.then(
      (open) => {
        if (open === client) this.#client = undefined;
      },
      () => {},
    );
  }
}

/** An error the server answered with (a JSON-RPC error: bad arguments, unknown tool), or a cancel of ours. */
function isProtocolAnswer(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "number" && code < 0;
}
