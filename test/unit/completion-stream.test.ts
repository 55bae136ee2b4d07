import { describe, expect, test } from "bun:test";
import { APIError } from "openai";
import { ChunkEncoder } from "../../src/simulator/chunks.ts";
import { readCompletion, readCompletionChunks } from "../../src/upstream/completion-stream.ts";

/** A response whose body arrives in pieces of the given sizes (cutting UTF-8 characters too). */
function responseInPieces(text: string, sizes: () => number): Response {
  const bytes = new TextEncoder().encode(text);
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const size = sizes();
    pieces.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return new Response(
    new ReadableStream({
      start(controller) {
        for (const piece of pieces) controller.enqueue(piece);
        controller.close();
      },
    }),
  );
}

/** One content chunk in the simulator's own bytes (the wire format of OpenAI's streaming). */
const encoder = new ChunkEncoder("c", 0, "m");
const chunk = (content: string) => new TextDecoder().decode(encoder.contents([content]));

async function contents(response: Response): Promise<string[]> {
  const seen: string[] = [];
  for await (const chunks of readCompletionChunks(response))
    for (const item of chunks) seen.push(item.choices[0]?.delta?.content ?? "");
  return seen;
}

/** The same through the push reader: the chunks, and how many network reads announced them. */
async function pushed(response: Response): Promise<{ seen: string[]; reads: number }> {
  const seen: string[] = [];
  let reads = 0;
  await readCompletion(response, {
    chunk: (chunk) => seen.push(chunk.choices[0]?.delta?.content ?? ""),
    readEnd: () => reads++,
  });
  return { seen, reads };
}

describe("readCompletionChunks", () => {
  const tokens = ["Hello", " wörld", " 😀", "\n\nline", "\r\n", " <b>", "data: x", ""];
  const body = `: comment\n\n${tokens.map(chunk).join("")}data: [DONE]\n\ndata: ${JSON.stringify({ ignored: true })}\n\n`;

  test("rebuilds every chunk whatever the read boundaries, and stops at [DONE]", async () => {
    let state = 7;
    for (let round = 0; round < 200; round++) {
      const sizes = () => {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        return 1 + (state % 9);
      };
      expect(await contents(responseInPieces(body, sizes))).toEqual(tokens);
    }
  });

  test("the push reader: the same chunks, and one read announced per network read", async () => {
    const pieces = Math.ceil(new TextEncoder().encode(body).length / 5);
    expect(await pushed(responseInPieces(body, () => 5))).toEqual({ seen: tokens, reads: pieces });
    expect(pushed(responseInPieces(`${chunk("a")}data: {not json\n\n`, () => 5))).rejects.toBeInstanceOf(SyntaxError);
  });

  test("a chunk that is not JSON throws SyntaxError; an error object throws APIError", async () => {
    expect(contents(responseInPieces(`${chunk("a")}data: {not json\n\n`, () => 5))).rejects.toBeInstanceOf(SyntaxError);
    const inStream = `data: ${JSON.stringify({ error: { message: "overloaded" } })}\n\n`;
    expect(contents(responseInPieces(inStream, () => 64))).rejects.toBeInstanceOf(APIError);
  });
});
