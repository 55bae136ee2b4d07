/**
 * The model client's transport against a real server on a free port: bodies as the server sent
 * them, kept-alive connections reused, a reused connection the server closed retried, an abort
 * that ends the read and closes the connection.
 */
import { afterAll, expect, test } from "bun:test";
import { readBody } from "../../src/upstream/response-body.ts";
import { socketFetch } from "../../src/upstream/socket-fetch.ts";
import { selfSignedCertificate } from "../deploy/tls-certificate.ts";

const ports = new Set<number>();
let closedConnections = 0;
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  idleTimeout: 0,
  fetch(request, bun) {
    ports.add(bun.requestIP(request)?.port ?? 0);
    const url = new URL(request.url);
    if (url.pathname === "/json") return Response.json({ echo: request.headers.get("x-request-id") }, { status: 429 });
    if (url.pathname === "/close") return new Response("bye", { headers: { connection: "close" } });
    let timer: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        let sent = 0;
        timer = setInterval(() => {
          controller.enqueue(new TextEncoder().encode(`data: ${sent}\n\n`));
          if (++sent === Number(url.searchParams.get("n") ?? 5)) {
            clearInterval(timer);
            controller.close();
          }
        }, 5);
      },
      cancel() {
        clearInterval(timer);
        closedConnections++;
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  },
});
afterAll(() => server.stop(true));
const base = `http://127.0.0.1:${server.port}`;

async function bodyText(response: Response): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  await readBody(response, {
    read(bytes) {
      text += decoder.decode(bytes, { stream: true });
    },
  });
  return text;
}

test("a streamed body arrives whole, and the next request reuses the connection", async () => {
  ports.clear();
  const first = await socketFetch(`${base}/stream?n=5`, { method: "POST", body: "{}" });
  expect(first.status).toBe(200);
  expect(first.headers.get("content-type")).toBe("text/event-stream");
  expect(await bodyText(first)).toBe("data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n");
  expect(await bodyText(await socketFetch(`${base}/stream?n=2`))).toBe("data: 0\n\ndata: 1\n\n");
  expect(ports.size).toBe(1);
});

test("an error status with its body, read as fetch's Response; headers as sent", async () => {
  const response = await socketFetch(`${base}/json`, { headers: { "x-request-id": "r1" } });
  expect(response.status).toBe(429);
  expect(await response.json()).toEqual({ echo: "r1" });
});

test("a connection the server closed is not reused: the next request opens another", async () => {
  ports.clear();
  expect(await (await socketFetch(`${base}/close`)).text()).toBe("bye");
  expect(await bodyText(await socketFetch(`${base}/stream?n=1`))).toBe("data: 0\n\n");
  expect(ports.size).toBe(2);
});

test("an abort mid-body rejects the read with the abort's reason and closes the connection", async () => {
  const controller = new AbortController();
  const response = await socketFetch(`${base}/stream?n=1000`, { signal: controller.signal });
  const before = closedConnections;
  let reads = 0;
  const reading = readBody(response, {
    read() {
      if (++reads === 3) controller.abort("stop");
    },
  });
  expect(reading).rejects.toBe("stop");
  await Bun.sleep(100);
  expect(closedConnections).toBe(before + 1);
});

test("an unreachable server rejects like fetch: a TypeError with the cause", async () => {
  const error = await socketFetch("http://127.0.0.1:9/v1").catch((failure: unknown) => failure);
  expect(error).toBeInstanceOf(TypeError);
  expect((error as TypeError).cause).toBeDefined();
});

test("https: a certificate that does not verify is refused, naming why", async () => {
  const { certPath, keyPath } = selfSignedCertificate();
  const tls = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    tls: { cert: Bun.file(certPath), key: Bun.file(keyPath) },
    fetch: () => new Response("data: hi\n\n"),
  });
  try {
    const error = await socketFetch(`https://127.0.0.1:${tls.port}/v1`).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as TypeError).cause)).toMatch(/certificate/i);
  } finally {
    tls.stop(true);
  }
});
