/**
 * Requests sent byte for byte over a socket: fetch() would normalise the very spellings the
 * attacker suite tries (`..`, `//`, backslashes) and always send a proper Host header.
 */
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/** Sends `GET <target>` (or another method) with exactly these headers; `host: null` sends none. */
export function rawRequest(
  port: number,
  target: string,
  options: {
    method?: string;
    host?: string | null;
    headers?: Record<string, string>;
    body?: string;
    /** The address to send from (any of 127.0.0.0/8 works on Linux): another client, to the server. */
    localAddress?: string;
    /** The whole request as these exact bytes (the other options then only name it in errors). */
    bytes?: Buffer;
  } = {},
): Promise<RawResponse> {
  const lines = [`${options.method ?? "GET"} ${target} HTTP/1.1`];
  if (options.host !== null) lines.push(`Host: ${options.host ?? "localhost"}`);
  for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`);
  lines.push("Connection: close", "", options.body ?? "");
  const request = options.bytes ?? lines.join("\r\n");
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", localAddress: options.localAddress ?? "127.0.0.1" }, () =>
      socket.write(request),
    );
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to ${target} in 10 s`)), 10_000);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const head = split === -1 ? text : text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body: text.slice(split + 4) });
    });
  });
}
