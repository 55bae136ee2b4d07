/**
 * The floor the relay bench weighs the targets against: the least a Bun process can do to relay
 * a model's stream. `GET /chat?q=` writes one pre-built chat request on a kept-alive socket
 * (`Bun.connect`), reads the streamed answer on the JS thread, parses each chunk's JSON once and
 * writes its content as an SSE `message` event into Bun's direct stream, then `event: done`.
 * No framework, no `openai` client, no limits, ids, log or metrics, no error handling beyond
 * ending the stream: it is not a server anyone should run, only what the runtime itself costs
 * per request and per token on this machine.
 *
 *   UPSTREAM_BASE_URL=http://127.0.0.1:3001/v1 PORT=3002 bun loadtest/peers/bare-relay.ts
 *
 * It reads the answer line by line and skips the chunk-size lines of the chunked encoding, so it
 * relies on what the project's simulator does: every event in a chunk of its own. Bun only.
 */
import type { Socket } from "bun";

const upstream = new URL(`${process.env.UPSTREAM_BASE_URL ?? "http://127.0.0.1:3001/v1"}/chat/completions`);
const model = process.env.MODEL ?? "demo";
const hostname = process.env.HOST ?? "127.0.0.1";

/** One request's reader: the socket's bytes, as lines, until the end of the answer. */
interface Relay {
  write(text: string): void;
  end(): void;
}

interface Link {
  relay: Relay | undefined;
  /** The unfinished last line of the previous read. */
  rest: string;
}

const idle: Socket<Link>[] = [];
const decoder = new TextDecoder();

function requestFor(question: string): string {
  const body = JSON.stringify({ model, messages: [{ role: "user", content: question }], stream: true });
  return (
    `POST ${upstream.pathname} HTTP/1.1\r\nhost: ${upstream.host}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

function readLines(socket: Socket<Link>, bytes: Uint8Array): void {
  const link = socket.data;
  const lines = (link.rest + decoder.decode(bytes)).split("\n");
  link.rest = lines.pop() ?? "";
  for (const line of lines) {
    if (!line.startsWith("data: ")) continue;
    if (line.startsWith("data: [DONE]")) {
      link.relay?.end();
      link.relay = undefined;
      idle.push(socket);
      continue;
    }
    const text = JSON.parse(line.slice(6)).choices?.[0]?.delta?.content;
    if (text) link.relay?.write(`data: ${text}\n\n`);
  }
}

const handlers = {
  data: readLines,
  close(socket: Socket<Link>) {
    socket.data.relay?.end();
    const index = idle.indexOf(socket);
    if (index !== -1) idle.splice(index, 1);
  },
  error() {},
};

async function socketFor(relay: Relay): Promise<Socket<Link>> {
  const kept = idle.pop();
  if (kept) {
    kept.data.relay = relay;
    return kept;
  }
  return Bun.connect<Link>({
    hostname: upstream.hostname,
    port: Number(upstream.port || 80),
    data: { relay, rest: "" },
    socket: handlers,
  });
}

function relayBody(question: string): ReadableStream<Uint8Array> {
  const underlying = {
    type: "direct",
    pull(controller: { write(text: string): unknown; close(): void }) {
      return new Promise<void>((resolve) => {
        const relay: Relay = {
          write: (text) => void controller.write(text),
          end() {
            controller.write("event: done\ndata: [DONE]\n\n");
            controller.close();
            resolve();
          },
        };
        void socketFor(relay).then((socket) => socket.write(requestFor(question)));
      });
    },
  };
  return new ReadableStream(underlying as unknown as UnderlyingDefaultSource<Uint8Array>);
}

const server = Bun.serve({
  hostname,
  port: Number(process.env.PORT ?? 0),
  idleTimeout: 0,
  fetch(request) {
    const question = new URL(request.url).searchParams.get("q") ?? "";
    return new Response(relayBody(question), {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    });
  },
});
console.log(`bare relay listening on http://${hostname}:${server.port}`);
