/**
 * The baseline the relay bench measures Sluice against: the seed's server ported literally to
 * Elysia and the `openai` client. `GET /chat?q=` calls the model with `stream: true` and relays
 * each content delta as an SSE `message` event through an Elysia generator, then `event: done`.
 * No replay log, ids, limits, metrics or cancel policy: what a bare port costs per token.
 *
 *   UPSTREAM_BASE_URL=http://127.0.0.1:3001/v1 PORT=3002 bun loadtest/peers/elysia-openai.ts
 *
 * Bun only: on Deno, Elysia's generator responses enqueue strings, which Deno's server refuses.
 * PORT (0: a free one), HOST and MODEL as the app's. PEER_EXTRA_WORK_US burns that much CPU per
 * chunk: the regression test's negative control, a relay known to cost more than the peer.
 */
import { Elysia, sse } from "elysia";
import OpenAI from "openai";

const openai = new OpenAI({ baseURL: process.env.UPSTREAM_BASE_URL, apiKey: process.env.UPSTREAM_API_KEY ?? "none" });
const model = process.env.MODEL ?? "demo";
const extraWorkUs = Number(process.env.PEER_EXTRA_WORK_US ?? 0);

function burn(micros: number): void {
  const until = performance.now() + micros / 1000;
  while (performance.now() < until);
}

const app = new Elysia().get("/chat", async function* ({ query }) {
  const stream = await openai.chat.completions.create({
    model,
    messages: [{ role: "user", content: String(query.q ?? "") }],
    stream: true,
  });
  for await (const chunk of stream) {
    if (extraWorkUs > 0) burn(extraWorkUs);
    const text = chunk.choices[0]?.delta?.content;
    if (text) yield sse({ data: text });
  }
  yield sse({ event: "done", data: "[DONE]" });
});

const hostname = process.env.HOST ?? "127.0.0.1";
app.listen({ port: Number(process.env.PORT ?? 0), hostname });
console.log(`peer listening on http://${hostname}:${app.server?.port}`);
