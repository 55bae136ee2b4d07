/**
 * The MCP servers an operator declares (MCP_SERVERS_FILE): what the model may call, and how
 * Sluice reaches each server. Only this file names tool servers: users never send a URL, so no
 * request can point Sluice at a host of its choosing. Checked whole at start-up; a bad entry
 * stops it with the entry's place in the file.
 *
 * ```json
 * { "servers": [ { "name": "files", "url": "http://files-mcp:8080/mcp",
 *     "headers": { "X-Team": "chat", "Authorization_FILE": "/run/secrets/files_mcp_auth" },
 *     "tools": ["read_file", "search"] } ] }
 * ```
 */
import { ConfigError, fileText } from "./env-values.ts";

export interface McpServerSettings {
  /** Prefixes its tools' names as the model sees them (`<name>__<tool>`). */
  name: string;
  /** The server's Streamable HTTP endpoint. */
  url: string;
  /** Sent with every request to it; a `<Header>_FILE` entry's value is read from that file. */
  headers: Record<string, string>;
  /** The tools offered to the model: these names, or every tool the server lists ("*"). */
  tools: "*" | string[];
}

const VARIABLE = "MCP_SERVERS_FILE";
// Letters, digits and "-", words joined by single "_": "__" separates server and tool in a name.
const SERVER_NAME = /^[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*$/;
const HEADER_NAME = /^[!#$%&'*+.^`|~0-9A-Za-z-]+$/;
const SERVER_KEYS = new Set(["name", "url", "headers", "tools"]);
// A model is offered every tool of every server in each request: past a few dozen, it chooses badly.
const MAX_SERVERS = 32;

function fail(where: string, message: string): never {
  throw new ConfigError(VARIABLE, `${where}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function serverUrl(value: unknown, where: string): string {
  if (typeof value !== "string") fail(`${where}.url`, "expected an http(s) URL");
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    fail(`${where}.url`, `expected an http(s) URL, got "${value}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    fail(`${where}.url`, `expected an http(s) URL, got "${value}"`);
  return value;
}

/** The headers, `<Name>_FILE` entries read from their files (trimmed), as Docker secrets are. */
function serverHeaders(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) fail(`${where}.headers`, "expected an object of header names and values");
  const headers: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") fail(`${where}.headers.${key}`, "expected a string");
    const fromFile = key.endsWith("_FILE");
    const name = fromFile ? key.slice(0, -"_FILE".length) : key;
    if (!HEADER_NAME.test(name)) fail(`${where}.headers.${key}`, "is not a header name");
    const text = fromFile ? fileText(`${VARIABLE} ${where}.headers.${key}`, entry).trim() : entry;
    if (/[\r\n\0]/.test(text)) fail(`${where}.headers.${key}`, "must not hold a line break or NUL");
    headers[name] = text;
  }
  return headers;
}

function exposedTools(value: unknown, where: string): "*" | string[] {
  if (value === "*") return "*";
  const valid = Array.isArray(value) && value.length > 0 && value.every((name) => typeof name === "string" && name);
  if (!valid) fail(`${where}.tools`, 'expected "*" or a non-empty list of tool names');
  return value as string[];
}

function server(value: unknown, index: number, names: Set<string>): McpServerSettings {
  const where = `servers[${index}]`;
  if (!isRecord(value)) fail(where, "expected an object with name, url, tools (and headers)");
  const unknown = Object.keys(value).find((key) => !SERVER_KEYS.has(key));
  if (unknown) fail(`${where}.${unknown}`, "unknown field (expected name, url, headers, tools)");
  const name = value.name;
  if (typeof name !== "string" || name.length > 32 || !SERVER_NAME.test(name))
    fail(`${where}.name`, 'expected 1 to 32 letters, digits, "-" or single "_"');
  if (names.has(name)) fail(`${where}.name`, `"${name}" is declared twice`);
  names.add(name);
  return {
    name,
    url: serverUrl(value.url, where),
    headers: serverHeaders(value.headers, where),
    tools: exposedTools(value.tools, where),
  };
}

/** Parses the text of an MCP servers file; throws {@link ConfigError} naming the bad entry. */
export function parseMcpServers(text: string): McpServerSettings[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    fail("the file", `is not JSON (${(cause as Error).message})`);
  }
  if (!isRecord(document) || !Array.isArray(document.servers)) fail("the file", 'expected {"servers": [...]}');
  if (document.servers.length > MAX_SERVERS) fail("servers", `at most ${MAX_SERVERS} servers`);
  const names = new Set<string>();
  return document.servers.map((entry, index) => server(entry, index, names));
}

/** The servers of the file `path` names; none when it is unset. */
export function loadMcpServers(path: string | undefined): McpServerSettings[] {
  return path ? parseMcpServers(fileText(VARIABLE, path)) : [];
}
