/**
 * The floor on Deno: what bare-relay.ts does on Bun, with Deno's own parts, so that the bench
 * can say what Deno itself costs a relay against Bun on this machine. `GET /chat?q=` writes one
 * pre-built chat request on a kept-alive connection (`Deno.connect`), reads the streamed answer
 * with one `read` per chunk, parses each chunk's JSON once and enqueues its content as an SSE
 * `message` event into the response's `ReadableStream` (the only body `Deno.serve` streams),
 * then `event: done`. No framework, no `openai` client, no limits, ids, log or metrics, no error
 * handling beyond ending the stream: not a server anyone should run.
 *
 *   UPSTREAM_BASE_URL=http://127.0.0.1:3001/v1 PORT=3002 deno run -A loadtest/peers/bare-relay-deno.ts
 *
 * Like the Bun floor, it reads the answer line by line and skips the chunk-size lines of the
 * chunked encoding, relying on the project's simulator: every event in a chunk of its own.
 */

interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
}

declare const Deno: {
  env: { get(name: string): string | undefined };
  connect(options: { hostname: string; port: number }): Promise<DenoConn>;
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request) => Response,
  ): unknown;
};

const upstream = new URL(`${Deno.env.get("UPSTREAM_BASE_URL") ?? "http://127.0.0.1:3001/v1"}/chat/completions`);
const model = Deno.env.get("MODEL") ?? "demo";
const hostname = Deno.env.get("HOST") ?? "127.0.0.1";

/** One request's sink: the events of its answer, then its end. */
interface Relay {
  write(text: string): void;
  end(): void;
}

/** A kept-alive connection to the model and the relay its answer goes to. */
interface Link {
  conn: DenoConn;
  relay: Relay | undefined;
}

const idle: Link[] = [];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function requestFor(question: string): Uint8Array {
  const body = JSON.stringify({ model, messages: [{ role: "user", content: question }], stream: true });
  return encoder.encode(
    `POST ${upstream.pathname} HTTP/1.1\r\nhost: ${upstream.host}\r\ncontent-type: application/json\r\n` +
      `content-length: ${encoder.encode(body).length}\r\n\r\n${body}`,
  );
}

/** Reads the connection until it closes, handing each answer's lines to the link's relay. */
async function readLines(link: Link): Promise<void> {
  const buffer = new Uint8Array(16 * 1024);
  let rest = "";
  for (;;) {
    const read = await link.conn.read(buffer).catch(() => null);
    if (read === null) break;
    const lines = (rest + decoder.decode(buffer.subarray(0, read))).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("data: ")) continue;
      if (line.startsWith("data: [DONE]")) {
        link.relay?.end();
        link.relay = undefined;
        idle.push(link);
        continue;
      }
      const text = JSON.parse(line.slice(6)).choices?.[0]?.delta?.content;
      if (text) link.relay?.write(`data: ${text}\n\n`);
    }
  }
  link.relay?.end();
  const index = idle.indexOf(link);
  if (index !== -1) idle.splice(index, 1);
}

async function linkFor(relay: Relay): Promise<Link> {
  const kept = idle.pop();
  if (kept) {
    kept.relay = relay;
    return kept;
  }
  const conn = await Deno.connect({ hostname: upstream.hostname, port: Number(upstream.port || 80) });
  const link: Link = { conn, relay };
  void readLines(link);
  return link;
}

function relayBody(question: string): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let ended = false;
      const relay: Relay = {
        write: (text) => controller.enqueue(encoder.encode(text)),
        end() {
          if (ended) return;
          ended = true;
          controller.enqueue(encoder.encode("event: done\ndata: [DONE]\n\n"));
          controller.close();
        },
      };
      void linkFor(relay).then((link) => link.conn.write(requestFor(question)));
    },
  });
}

Deno.serve(
  {
    hostname,
    port: Number(Deno.env.get("PORT") ?? 0),
    onListen({ port }) {
      console.log(`bare relay listening on http://${hostname}:${port}`);
    },
  },
  (request) => {
    const question = new URL(request.url).searchParams.get("q") ?? "";
    return new Response(relayBody(question), {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    });
  },
);
