/**
 * The shipped HTTPS server block (deploy/nginx/tls/): streams over TLS as over plain HTTP, and
 * speaks HTTP/2, which lifts the browser's six-connections-per-host limit on open EventSources.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { spawnSync, which } from "bun";
import { startChat } from "../../harness/client/chat.ts";
import { paced } from "../../harness/client/sim-prompt.ts";
import { freePort } from "../../harness/stack/free-port.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { selfSignedCertificate } from "../deploy/tls-certificate.ts";
import { streamAnswer } from "./stream-routes.ts";
import { checkStreaming } from "./streaming-checks.ts";

const FAST = { tokens: 40, tps: 20 };
const certificate = selfSignedCertificate();
const ca = readFileSync(certificate.certPath, "utf8");
let stack: Stack;
let httpsUrl: string;

beforeAll(async () => {
  stack = await startStack({ tls: { port: freePort(), ...certificate } });
  httpsUrl = stack.httpsUrl as string;
}, 60_000);

afterAll(() => stack?.stop(), 30_000);

test("tokens stream over HTTPS as they do over HTTP", async () => {
  const { stream, tokens } = await streamAnswer(httpsUrl, "/api/streams/:id", FAST, { ca });
  expect(stream.status).toBe(200);
  const verdict = checkStreaming(tokens, FAST);
  expect(verdict.ok, verdict.detail).toBe(true);
}, 30_000);

test.skipIf(!which("curl"))(
  "an event stream is served over HTTP/2",
  async () => {
    const streamUrl = (await startChat(stack.url, paced(5, 50))).url;
    const path = new URL(streamUrl).pathname;
    const args = ["--silent", "--show-error", "--include", "--http2", "--max-time", "15"];
    const curl = spawnSync(["curl", ...args, "--cacert", certificate.certPath, `${httpsUrl}${path}`], {
      stdout: "pipe",
      stderr: "pipe",
      timeout: 20_000,
    });
    const output = curl.stdout.toString();
    expect(curl.stderr.toString()).toBe("");
    expect(output).toStartWith("HTTP/2 200");
    expect(output).toContain("content-type: text/event-stream");
    expect(output).toContain("event: done");
  },
  30_000,
);
