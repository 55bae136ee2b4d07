import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { startChat } from "../../harness/client/chat.ts";
import { eventually } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { readStream } from "../../harness/client/stream.ts";
import { internalUrl, type Started, startApp } from "../../harness/stack/spawn.ts";

// No UPSTREAM_BASE_URL: the built-in simulator is the model, in-process, and mounted at /sim on
// the internal listener only.
let app: Started;
beforeAll(async () => {
  app = await startApp({ SIM_TTFT_MS: "20", SIM_TOKENS_PER_SECOND: "100" });
});
afterAll(() => app?.stop());

/** A raw HTTP/1.1 request, without the Content-Length a fetch() client would add. */
function rawRequest(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () =>
      socket.write(`${head}\r\nHost: localhost\r\nConnection: close\r\n\r\n`),
    );
    let text = "";
    socket.on("data", (data) => {
      text += data.toString();
    });
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

describe("the embedded simulator", () => {
  test("readyz names it; /sim/v1 and /sim/stats answer on the internal listener, not the app's port", async () => {
    const internal = internalUrl(app);
    expect(await (await fetch(`${app.url}/readyz`)).json()).toMatchObject({ upstream: "simulator", model: "demo" });
    expect((await fetch(`${app.url}/sim/stats`)).status).toBe(404);
    expect((await fetch(`${app.url}/sim/v1/models`)).status).toBe(404);
    expect((await (await fetch(`${internal}/sim/v1/models`)).json()).data[0].id).toBe("demo");
    const completion = await fetch(`${internal}/sim/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "demo", messages: [{ role: "user", content: "/sim tokens=3\nhi" }] }),
    });
    expect((await completion.json()).usage.completion_tokens).toBe(3);
    expect((await fetchSimStats(internal)).started).toBeGreaterThanOrEqual(1);
  });

  test("Stop cancels the in-process model call and ends the stream with done cancelled", async () => {
    const before = (await fetchSimStats(internalUrl(app))).cancelled;
    const url = (await startChat(app.url, "/sim tps=10 tokens=200\nlong")).url;
    const watching = readStream(url, { timeoutMs: 10_000 });
    await Bun.sleep(300);
    await fetch(url, { method: "DELETE" });
    const read = await watching;
    expect(read.ended).toBe("eof");
    expect(JSON.parse(read.events.at(-1)?.data ?? "{}").finish_reason).toBe("cancelled");
    expect(await eventually(async () => (await fetchSimStats(internalUrl(app))).cancelled === before + 1)).toBe(true);
  });

  test("a DELETE without Content-Length is a Stop, not a body error", async () => {
    const url = new URL((await startChat(app.url, "/sim tps=10 tokens=200\nlong")).url);
    const response = await rawRequest(app.port, `DELETE ${url.pathname} HTTP/1.1`);
    expect(response.split("\r\n")[0]).toContain("200");
    expect(response).toContain('"finish_reason":"cancelled"');
  });
});

describe("the chat page", () => {
  test("/ serves the page with its Content-Security-Policy; assets have their types", async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1] ?? "";
    const asset = await fetch(`${app.url}${script.startsWith("/") ? "" : "/"}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
  });
});
