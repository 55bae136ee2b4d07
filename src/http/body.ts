/**
 * Request bodies: JSON only, read with a size limit (413 past it, whether or not the client sent
 * Content-Length), malformed JSON answered 400 naming the body.
 */
import { SluiceError, ValidationError } from "../errors.ts";

export class BodyTooLargeError extends SluiceError {
  override name = "BodyTooLargeError";
  constructor(limit: number) {
    super("body_too_large", `the request body exceeds ${limit} bytes`, 413);
  }
}

const BODILESS = new Set(["GET", "HEAD", "DELETE", "OPTIONS"]);

/** Reads and parses a JSON body of at most `maxBytes`. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  // No body expected (Deno gives a DELETE an empty body stream), or none sent: the route's
  // schema then says what was missing.
  if (BODILESS.has(request.method) || !request.body || request.headers.get("content-length") === "0") return {};
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type))
    throw new SluiceError("unsupported_media_type", "send the body as application/json", 415, { field: "body" });
  const text = await readText(request, maxBytes);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ValidationError("body", `malformed JSON (${(cause as Error).message})`);
  }
}

async function readText(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
