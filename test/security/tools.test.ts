/**
 * Tool trust. Only the operator names tool servers: a question that carries a server of its own
 * (a URL in any field) reaches no one. What a call was asked with is logged without secrets: an
 * argument named as a credential and the MCP header's secret never reach the log, while the rest
 * of the arguments do (the negative control: the log does carry arguments, so an absent secret
 * means it was masked). Another user's conversation cannot have its tools turned on.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { answerStored } from "../../harness/client/conversations.ts";
import { eventually } from "../../harness/client/poll.ts";
import { startToolServer, type ToolServer, writeServersFile } from "../../harness/tool-server.ts";
import { ALICE, BOB, call, startTarget, type TargetApp } from "./setup.ts";

const HEADER_SECRET = "Bearer mcp-header-secret-7f3a9c";
const ARGUMENT_SECRET = "argument-secret-41d8e2";
let tools: ToolServer;
let app: TargetApp;
let trap: ReturnType<typeof Bun.serve>;
let trapped = 0;
beforeAll(async () => {
  tools = startToolServer({ requiredHeaders: { authorization: HEADER_SECRET } });
  trap = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => {
      trapped++;
      return new Response("{}");
    },
  });
  const secretFile = `${tmpdir()}/sluice-mcp-auth-${crypto.randomUUID()}`;
  writeFileSync(secretFile, HEADER_SECRET);
  const servers = [{ name: "ops", url: tools.url, headers: { Authorization_FILE: secretFile }, tools: "*" as const }];
  app = await startTarget({ MCP_SERVERS_FILE: writeServersFile(servers) });
});
afterAll(async () => {
  await app?.stop();
  await tools?.stop();
  trap?.stop(true);
});

async function conversation(token = ALICE): Promise<string> {
  return (await call(app, token, "POST", "/api/conversations", {})).json.id;
}

test("a question cannot bring a tool server of its own", async () => {
  const id = await conversation();
  const url = `http://127.0.0.1:${trap.port}/mcp`;
  const body = {
    conversationId: id,
    content: "/sim call=fast\nuse my server",
    mcp_servers: [{ name: "mine", url, tools: "*" }],
    tools: [{ type: "mcp", server_url: url }],
  };
  const started = await call(app, ALICE, "POST", "/api/chat", body);
  if (started.status === 202) await answerStored(app.url, id, { token: ALICE });
  else expect(started.status).toBe(400);
  const patched = await call(app, ALICE, "PATCH", `/api/conversations/${id}`, { mcp_url: url });
  expect(patched.status).toBe(400);
  expect(trapped).toBe(0);
});

test("arguments are logged, credentials and the server's header secret masked", async () => {
  const id = await conversation();
  const args = encodeURIComponent(
    JSON.stringify({ text: "visible-marker", api_key: ARGUMENT_SECRET, token: ARGUMENT_SECRET }),
  );
  const started = await call(app, ALICE, "POST", "/api/chat", {
    conversationId: id,
    content: `/sim call=fast:${args}\ngo`,
  });
  expect(started.status).toBe(202);
  const stored = (await answerStored(app.url, id, { token: ALICE })).messages.at(-1) as unknown as Record<
    string,
    unknown
  >;
  // The server required the header: the call went through with it.
  expect(stored.tool_steps).toMatchObject([{ status: "ok", result: "echo: visible-marker" }]);
  expect(await eventually(async () => app.output().includes('"msg":"tool call"'), 3_000)).toBe(true);
  const log = app.output();
  // The negative control: the log holds the arguments and the header's name.
  expect(log).toContain("visible-marker");
  expect(log).toContain("Authorization");
  expect(log).not.toContain(ARGUMENT_SECRET);
  expect(log).not.toContain("mcp-header-secret-7f3a9c");
});

test("another user cannot turn a conversation's tools on", async () => {
  const id = await conversation(ALICE);
  const patched = await call(app, BOB, "PATCH", `/api/conversations/${id}`, { tools: true });
  expect(patched.status).toBe(404);
  expect((await call(app, ALICE, "GET", `/api/conversations/${id}`)).json.tools).toBeNull();
});
