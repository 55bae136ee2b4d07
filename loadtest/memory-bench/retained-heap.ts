/**
 * What retained answers really hold, against what the registry counts of them (RETAINED_BYTES_MAX):
 * `--answers` finished answers of `--tokens` tokens each are kept in one registry, in this process,
 * each token parsed from a model's SSE chunk as a real call parses it (CompletionChunkParser), so
 * its string is what a real answer keeps. The heap is measured after a full collection before and
 * after; the figure that matters is `heap_per_counted_byte` (1.0: the count is the memory).
 *
 * Usage: bun loadtest/memory-bench/retained-heap.ts [--answers 200] [--tokens 2000] [--token-chars 4]
 *        deno run -A loadtest/memory-bench/retained-heap.ts [same options]
 */
import process, { memoryUsage } from "node:process";
import { parseArgs } from "node:util";
import { GenerationRegistry } from "../../src/generation/registry.ts";
import { collectGarbage } from "../../src/memory-collector.ts";
import { runtimeName } from "../../src/runtime.ts";
import { CompletionChunkParser } from "../../src/upstream/chunk-parser.ts";

const { values } = parseArgs({
  options: {
    answers: { type: "string", default: "200" },
    tokens: { type: "string", default: "2000" },
    "token-chars": { type: "string", default: "4" },
  },
});
const answers = Number(values.answers);
const tokens = Number(values.tokens);
const tokenChars = Number(values["token-chars"]);

/** One answer's SSE body, a chunk per token, as an OpenAI-compatible server streams it. */
function sseBody(answer: number): Uint8Array {
  let text = "";
  for (let index = 0; index < tokens; index++) {
    const content = `${answer}-${index}-`.padEnd(tokenChars, "x").slice(-tokenChars);
    const chunk = { id: "chatcmpl-1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content } }] };
    text += `data: ${JSON.stringify(chunk)}\n\n`;
  }
  return new TextEncoder().encode(text);
}

const registry = new GenerationRegistry({ maxActive: answers + 1, retentionMs: 600_000, retainedBytesMax: 2 ** 50 });

function heapUsed(): number {
  collectGarbage();
  collectGarbage();
  return memoryUsage().heapUsed;
}

const before = heapUsed();
for (let answer = 0; answer < answers; answer++) {
  const body = sseBody(answer);
  const generation = registry.create({
    owner: "bench",
    model: "demo",
    upstream: async (_signal, _id, sink) => {
      const parser = new CompletionChunkParser({
        chunk(chunk) {
          const text = chunk.choices[0]?.delta?.content;
          if (text) sink.token(text);
        },
      });
      // A network read of 16 KiB at a time.
      for (let offset = 0; offset < body.byteLength; offset += 16_384) {
        parser.feed(body.subarray(offset, offset + 16_384));
        sink.readEnd();
      }
      sink.finish("stop");
    },
    timeouts: { firstTokenMs: 60_000, interTokenMs: 60_000 },
    cancelGraceMs: 60_000,
    maxEvents: tokens + 10,
    maxBytes: 2 ** 40,
  });
  await generation.settled;
}
await new Promise((resolve) => setTimeout(resolve, 0));
const after = heapUsed();
const counted = registry.retainedBytes;
console.log(
  JSON.stringify({
    runtime: runtimeName,
    answers,
    tokens_per_answer: tokens,
    token_chars: tokenChars,
    text_bytes: answers * tokens * tokenChars,
    counted_bytes: counted,
    heap_growth_bytes: after - before,
    heap_per_counted_byte: Math.round(((after - before) / counted) * 100) / 100,
  }),
);
// Retention timers would keep the process alive for their ten minutes.
process.exit(0);
