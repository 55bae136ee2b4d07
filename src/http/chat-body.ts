/**
 * The body of `POST /api/chat`: the one route whose body may be larger than MAX_BODY_BYTES, and
 * only by its images. It is read up to the size the image caps need, and then everything but the
 * images' `data:` URLs must still fit MAX_BODY_BYTES, so a long text is refused as before.
 */
import type { ImageLimits } from "../config.ts";
import { type BodyLimits, BodyTooLargeError, readJsonBody } from "./body.ts";
import { chatBodyLimit } from "./image-parts.ts";

/** The summed length of every `image_url.url` in the body's `content` parts (and `messages[].content`). */
function imageUrlLength(body: unknown): number {
  const record = body as { content?: unknown; messages?: unknown } | null;
  const contents = [record?.content];
  if (Array.isArray(record?.messages)) for (const message of record.messages) contents.push(message?.content);
  let length = 0;
  for (const content of contents) {
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      const url = part?.image_url?.url;
      if (typeof url === "string") length += url.length;
    }
  }
  return length;
}

/** Reads `/api/chat`'s JSON body: at most MAX_BODY_BYTES plus the images the caps allow. */
export async function readChatBody(
  request: Request,
  maxBodyBytes: number,
  limits: ImageLimits,
  arrival: BodyLimits = {},
): Promise<unknown> {
  const body = await readJsonBody(request, chatBodyLimit(maxBodyBytes, limits), arrival);
  // Measured as JSON again: the client's spacing does not count, base64 is ASCII either way.
  if (Buffer.byteLength(JSON.stringify(body ?? null)) - imageUrlLength(body) > maxBodyBytes)
    throw new BodyTooLargeError(maxBodyBytes);
  return body;
}
