/**
 * The test tool server on its own (`bun harness/tool-server-main.ts`), for the native stack and
 * the load scenarios: it prints its URL and an MCP servers file declaring it as "tests".
 * TOOL_SERVER_PORT picks the port (default: a free one).
 */
import { startToolServer, writeServersFile } from "./tool-server.ts";

const port = Number(process.env.TOOL_SERVER_PORT ?? 0);
const server = startToolServer({ port });
const file = writeServersFile([{ name: "tests", url: server.url, tools: "*" }]);
console.log(`Tool server listening on ${server.url}`);
console.log(`MCP_SERVERS_FILE=${file}`);
process.on("SIGINT", () => void server.stop().then(() => process.exit(0)));
process.on("SIGTERM", () => void server.stop().then(() => process.exit(0)));
