/**
 * The attack as a measurement: BAD_RATE unauthenticated bad requests a second (methods Bun
 * drops, a control character in a header with a body, a raw non-ASCII target, CONNECT) against two
 * instances behind the shipped nginx, while a signed-in user lists conversations and asks
 * questions; the share of those legitimate requests that fail (target 0). `control` first undoes
 * the edge's nginx defences (every method proxied, failures counted against instances) and
 * reloads nginx: the same run then shows what the defences prevent.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { readEvents } from "../../harness/client/sse-reader.ts";
import type { Stack } from "../../harness/stack/start-stack.ts";

export interface BadRequestSettings {
  durationS: number;
  /** Bad requests per second. */
  badRate: number;
  /** Legitimate requests per second (a list, or a question read to its end). */
  goodRate: number;
  token: string;
}

export interface BadRequestFigures {
  bad: number;
  good: number;
  goodFailed: number;
  /** The failed legitimate requests' outcomes, counted. */
  failures: Record<string, number>;
}

const BAD_REQUESTS = [
  "FOO / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
  "TRACK / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
  `POST /api/chat HTTP/1.1\r\nHost: localhost\r\nCookie: a=\x1fb\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\n${"x".repeat(2_000_000)}`,
  `GET /a\xff\xfe HTTP/1.1\r\nHost: localhost\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n${"x".repeat(20_000)}`,
  "CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\nConnection: close\r\n\r\n",
].map((text) => Buffer.from(text, "latin1"));

/** Sends one raw request and waits until the connection ends (whatever it answered). */
function sendRaw(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" }, () => socket.write(bytes));
    socket.on("data", () => {});
    socket.on("error", () => resolve());
    socket.on("close", () => resolve());
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

/** One legitimate request: the list, or (every fourth) a question read to its `done`. Its failure, if any. */
async function legitimate(url: string, token: string, index: number): Promise<string | undefined> {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  try {
    if (index % 4 !== 0) {
      const list = await fetch(`${url}/api/conversations`, { headers, signal: AbortSignal.timeout(10_000) });
      await list.arrayBuffer();
      return list.status === 200 ? undefined : `list ${list.status}`;
    }
    const body = JSON.stringify({ messages: [{ role: "user", content: "/sim tokens=5 tps=100\nping" }] });
    const posted = await fetch(`${url}/api/chat`, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (posted.status !== 202) return `chat ${posted.status}`;
    const { streamUrl } = (await posted.json()) as { streamUrl: string };
    const stream = await fetch(`${url}${streamUrl}`, { headers, signal: AbortSignal.timeout(10_000) });
    if (stream.status !== 200 || !stream.body) return `stream ${stream.status}`;
    let done = false;
    await readEvents(stream.body, {
      onEvent: (event) => {
        done = event.event === "done";
        return !done;
      },
    });
    return done ? undefined : "stream ended without done";
  } catch (error) {
    return `network: ${(error as Error).name}`;
  }
}

/** Undoes nginx's edge defences in the running stack (the negative control) and reloads it. */
export async function undoNginxDefences(stack: Stack): Promise<void> {
  const proxy = join(stack.prefix.dir, "conf.d", "sluice-proxy.inc");
  const server = join(stack.prefix.dir, "conf.d", "sluice.conf");
  writeFileSync(
    proxy,
    readFileSync(proxy, "utf8")
      .replace(/^if \(\$request_method[^{]*\{\n.*\n\}\n/m, "")
      .replace(/^if \(\$request_uri[^{]*\{\n.*\n\}\n/m, "")
      .replace(/^if \(\$sluice_header_garbage\) \{\n.*\n\}\n/m, ""),
  );
  writeFileSync(server, readFileSync(server, "utf8").replace(/max_fails=0;/g, "max_fails=3 fail_timeout=10s;"));
  await stack.reloadNginx();
}

/** Runs the attack and the legitimate traffic side by side for the duration. */
export async function measureBadRequests(stack: Stack, settings: BadRequestSettings): Promise<BadRequestFigures> {
  const port = Number(new URL(stack.url).port);
  const figures: BadRequestFigures = { bad: 0, good: 0, goodFailed: 0, failures: {} };
  const pending: Promise<unknown>[] = [];
  const endAt = performance.now() + settings.durationS * 1000;
  const every = (rate: number, act: (index: number) => Promise<unknown>) =>
    (async () => {
      for (let index = 0; performance.now() < endAt; index++) {
        pending.push(act(index));
        await Bun.sleep(1000 / rate);
      }
    })();
  await Promise.all([
    every(settings.badRate, async (index) => {
      figures.bad++;
      await sendRaw(port, BAD_REQUESTS[index % BAD_REQUESTS.length] as Buffer);
    }),
    every(settings.goodRate, async (index) => {
      figures.good++;
      const failure = await legitimate(stack.url, settings.token, index);
      if (failure === undefined) return;
      figures.goodFailed++;
      figures.failures[failure] = (figures.failures[failure] ?? 0) + 1;
    }),
  ]);
  await Promise.all(pending);
  return figures;
}
