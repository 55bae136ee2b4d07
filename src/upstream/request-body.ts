/**
 * A chat completion's request body, written a piece at a time: the JSON of everything but the
 * images' bytes, and each image (an `image_bytes` part) encoded as its base64 `data:` URL only as
 * it is written. A call's images then exist once, as the bytes the call holds, however large the
 * request: built as one JSON string, they would exist four more times at once (their `data:`
 * URLs, the JSON, the HTTP message, its bytes). The length is known before the first byte, so the
 * request carries a Content-Length, which every model server reads.
 */
import type { ImageBytesPart } from "../contract.ts";
import { memoryCollector } from "../memory-collector.ts";

// Image bytes encoded per chunk: a multiple of 3, so that no chunk but the last ends in padding.
const RAW_CHUNK_BYTES = 3 * 64 * 1024;

const encoder = new TextEncoder();
const bodies = new WeakMap<ReadableStream<Uint8Array>, ChatRequestBody>();

function isImageBytes(value: unknown): value is ImageBytesPart {
  return (
    (value as ImageBytesPart | null)?.type === "image_bytes" && (value as ImageBytesPart).data instanceof Uint8Array
  );
}

const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;
const dataUrlPrefix = (image: ImageBytesPart) => encoder.encode(`data:${image.media_type};base64,`);

export class ChatRequestBody {
  /** The body's length in bytes. */
  readonly byteLength: number;
  /** The JSON around the images: one more than there are images. */
  readonly #texts: Uint8Array[];
  readonly #images: ImageBytesPart[] = [];

  constructor(params: object) {
    // Each image's URL is a marker no text can hold (a fresh UUID), cut out of the JSON below.
    const marker = `image-bytes-${crypto.randomUUID()}`;
    const json = JSON.stringify(params, (_key, value: unknown) => {
      if (!isImageBytes(value)) return value;
      this.#images.push(value);
      return { type: "image_url", image_url: { url: marker } };
    });
    this.#texts = json.split(marker).map((text) => encoder.encode(text));
    let length = 0;
    for (const text of this.#texts) length += text.byteLength;
    for (const image of this.#images) length += dataUrlPrefix(image).byteLength + base64Length(image.data.byteLength);
    this.byteLength = length;
  }

  /**
   * The body's bytes in order. With `reuse`, an image's chunks share one buffer: each is valid only
   * until the next is asked for (a writer that waits until a chunk is sent).
   */
  *chunks(reuse = false): Generator<Uint8Array> {
    const buffer = reuse ? new Uint8Array(base64Length(RAW_CHUNK_BYTES)) : undefined;
    for (let index = 0; index < this.#texts.length; index++) {
      yield this.#texts[index] as Uint8Array;
      const image = this.#images[index];
      if (!image) continue;
      yield dataUrlPrefix(image);
      const { data } = image;
      for (let offset = 0; offset < data.byteLength; offset += RAW_CHUNK_BYTES) {
        const raw = Buffer.from(
          data.buffer,
          data.byteOffset + offset,
          Math.min(RAW_CHUNK_BYTES, data.byteLength - offset),
        );
        const text = raw.toString("base64");
        const target = buffer ?? new Uint8Array(text.length);
        encoder.encodeInto(text, target);
        // The runtime encodes base64 only into a string, garbage once copied.
        memoryCollector.released(text.length);
        yield target.subarray(0, text.length);
      }
    }
  }

  /** The body as a stream (for fetch), a chunk made each time one is read; known to {@link requestBodyOf}. */
  stream(): ReadableStream<Uint8Array> {
    const chunks = this.chunks();
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel() {
        chunks.return(undefined);
      },
    });
    bodies.set(stream, this);
    return stream;
  }
}

/** The body a stream was made of by {@link ChatRequestBody.stream}, for a writer that writes its chunks itself. */
export function requestBodyOf(stream: unknown): ChatRequestBody | undefined {
  return stream instanceof ReadableStream ? bodies.get(stream) : undefined;
}
