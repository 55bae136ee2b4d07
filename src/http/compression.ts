/**
 * Large JSON responses (a long conversation is megabytes) gzip-compressed by the app itself when
 * the client accepts it, so a deployment without nginx in front does not send them raw; nginx
 * passes a compressed response through as it is. Never an event stream: compression holds bytes
 * back until a block fills, which would delay tokens (deploy/nginx says the same of its gzip).
 *
 * The body is compressed as it is sent, a slice at a time, with a turn of the event loop between
 * slices: gzip runs on the thread that relays tokens (on Deno, node:zlib's "async" gzip too), and
 * compressing megabytes in one call would stall every stream meanwhile.
 */

// Below this, compression saves too little to be worth the CPU (nginx's own floor is 1 KiB).
export const COMPRESS_MIN_BYTES = 16 * 1024;
// Small enough that a token waiting behind one slice's compression waits briefly.
const SLICE_BYTES = 128 * 1024;

/** Whether `acceptEncoding` (an Accept-Encoding header) allows gzip (RFC 9110 §12.5.3). */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  if (!acceptEncoding) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [coding = "", ...parameters] = part.split(";").map((piece) => piece.trim());
    const qParameter = parameters.find((parameter) => parameter.startsWith("q="));
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2));
    if (coding === "gzip" || coding === "x-gzip") gzip = q;
    else if (coding === "*") any = q;
  }
  return (gzip ?? any ?? 0) > 0;
}

/** `data` in slices, each after a turn of the event loop. */
function slices(data: Uint8Array<ArrayBuffer>): ReadableStream<BufferSource> {
  let at = 0;
  return new ReadableStream<BufferSource>(
    {
      async pull(controller) {
        if (at >= data.length) return controller.close();
        if (at > 0) await new Promise((resolve) => setTimeout(resolve, 0));
        controller.enqueue(data.subarray(at, at + SLICE_BYTES));
        at += SLICE_BYTES;
      },
    },
    { highWaterMark: 0 },
  );
}

/** `response`, gzip-compressed when it is JSON of at least COMPRESS_MIN_BYTES and `request` accepts gzip. */
export async function compressLargeJson(request: Request, response: Response): Promise<Response> {
  const type = response.headers.get("content-type") ?? "";
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  // `response.body` is read last: on Deno, touching it turns a string body into a stream, which
  // then goes out chunked instead of with its Content-Length.
  if (
    request.method === "HEAD" ||
    !type.startsWith("application/json") ||
    response.headers.has("content-encoding") ||
    declared < COMPRESS_MIN_BYTES ||
    !acceptsGzip(request.headers.get("accept-encoding")) ||
    response.body === null
  ) {
    return response;
  }
  const body = new Uint8Array(await response.arrayBuffer());
  const headers = new Headers(response.headers);
  headers.append("vary", "accept-encoding");
  const init = { status: response.status, statusText: response.statusText, headers };
  if (body.length < COMPRESS_MIN_BYTES) return new Response(body, init);
  headers.set("content-encoding", "gzip");
  headers.delete("content-length");
  return new Response(slices(body).pipeThrough(new CompressionStream("gzip")), init);
}
