/**
 * Usage over real sockets, on the runtime under test, for every route that calls a model: the
 * model's own usage when it sends one (the simulator does, when asked), else an estimate marked
 * `estimated` (`/sim usage=omit`: a model that sends none). Each call lands in the caller's
 * ledger (`GET /api/usage`); a conversation's answers keep theirs, a continuation adds to its
 * answer's, a stopped answer counts what it produced.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { createConversation, readConversation, turnIn } from "../../harness/client/conversations.ts";
import { waitUntil } from "../../harness/client/poll.ts";
import { readStream } from "../../harness/client/stream.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";

let app: Started;
beforeAll(async () => {
  app = await startApp({ SIM_TTFT_MS: "0", SIM_TOKENS_PER_SECOND: "2000" });
});
afterAll(() => app?.stop());

const call = (method: string, path: string, body?: unknown) => callJson(app.url, method, path, body);

/** How Sluice and the simulator both estimate a prompt: ~4 characters a token, 4 more a message. */
const promptOf = (...messages: string[]) => messages.reduce((sum, text) => sum + 4 + Math.ceil(text.length / 4), 0);

interface Totals {
  prompt_tokens: number;
  completion_tokens: number;
  estimated_tokens: number;
  answers: number;
}

/** `/v1/chat/completions` as a streaming client sends it: the body of the answer, as text. */
const v1Stream = async (body: unknown) => {
  const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  return (await fetch(`${app.url}/v1/chat/completions`, init)).text();
};

const ledger = async (): Promise<Totals> => (await call("GET", "/api/usage")).json.total;

/** What one call added to the ledger, once it is there. */
async function added(before: Totals, run: () => Promise<unknown>): Promise<Totals> {
  await run();
  const after = await waitUntil("the call to be counted", ledger, (now) => now.answers > before.answers, 5_000);
  return {
    prompt_tokens: after.prompt_tokens - before.prompt_tokens,
    completion_tokens: after.completion_tokens - before.completion_tokens,
    estimated_tokens: after.estimated_tokens - before.estimated_tokens,
    answers: after.answers - before.answers,
  };
}

const reported = (prompt: number, completion: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  estimated_tokens: 0,
  answers: 1,
});
const estimated = (prompt: number, completion: number) => ({
  ...reported(prompt, completion),
  estimated_tokens: prompt + completion,
});

describe.each([
  ["the model sends its usage", "", reported],
  ["the model sends none", " usage=omit", estimated],
] as const)("%s", (_, directive, expected) => {
  const prompt = `/sim tokens=7${directive}\nhello there`;

  test("one-shot POST /api/chat: in the done event and the ledger", async () => {
    let done: Record<string, unknown> = {};
    const counted = await added(await ledger(), async () => {
      const started = await call("POST", "/api/chat", { messages: [{ role: "user", content: prompt }] });
      const read = await readStream(`${app.url}${started.json.streamUrl}`, { timeoutMs: 10_000 });
      done = JSON.parse(read.events.at(-1)?.data ?? "{}");
    });
    expect(counted).toEqual(expected(promptOf(prompt), 7));
    const usage = { prompt_tokens: promptOf(prompt), completion_tokens: 7, total_tokens: promptOf(prompt) + 7 };
    expect(done.usage).toEqual(directive ? { ...usage, estimated: true } : usage);
  });

  test("GET /chat?q=", async () => {
    const counted = await added(await ledger(), () =>
      readStream(`${app.url}/chat?q=${encodeURIComponent(prompt)}`, { timeoutMs: 10_000 }),
    );
    expect(counted).toEqual(expected(promptOf(prompt), 7));
  });

  test("/v1 streamed: the client gets the stream as it asked, the ledger the usage", async () => {
    const body = { stream: true, messages: [{ role: "user", content: prompt }] };
    let text = "";
    const counted = await added(await ledger(), async () => {
      text = await v1Stream(body);
    });
    expect(counted).toEqual(expected(promptOf(prompt), 7));
    // Not asked for by the client: no usage chunk, no usage field on the others.
    expect(text).not.toContain('"usage"');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  test("/v1 streamed, the client asking for the usage: it gets the model's chunk as sent", async () => {
    const body = {
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: prompt }],
    };
    let text = "";
    const counted = await added(await ledger(), async () => {
      text = await v1Stream(body);
    });
    expect(counted).toEqual(expected(promptOf(prompt), 7));
    expect(text.includes('"usage":{"prompt_tokens"')).toBe(directive === "");
  });

  test("/v1 whole: the completion's usage, or the estimate of its text", async () => {
    const body = { messages: [{ role: "user", content: prompt }] };
    let answer: { usage?: unknown; choices: { message: { content: string } }[] } | undefined;
    const counted = await added(await ledger(), async () => {
      answer = (await call("POST", "/v1/chat/completions", body)).json;
    });
    const text = answer?.choices[0]?.message.content ?? "";
    expect(counted).toEqual(expected(promptOf(prompt), directive ? Math.ceil(text.length / 4) : 7));
    expect(answer?.usage === undefined).toBe(directive !== "");
  });

  test("a conversation's answer and its continuation: stored per answer, summed, and per conversation", async () => {
    const id = await createConversation(app.url);
    const question = `/sim tokens=12${directive}\nTell me a story`;
    const before = await ledger();
    await turnIn(app.url, id, { content: question, parentId: null, max_tokens: 5 });
    const cut = (await readConversation(app.url, id)).messages[1];
    expect(cut?.usage).toEqual({
      prompt_tokens: promptOf(question),
      completion_tokens: 5,
      total_tokens: promptOf(question) + 5,
      ...(directive ? { estimated: true } : {}),
    });
    await turnIn(app.url, id, { continue: cut?.id });
    const whole = (await readConversation(app.url, id)).messages[1];
    // The continuation sends the question, the partial answer and the instruction: its own prompt.
    expect(whole?.usage?.completion_tokens).toBe(12);
    expect(whole?.usage?.prompt_tokens).toBeGreaterThan(2 * promptOf(question));
    expect(whole?.usage?.estimated).toBe(directive ? true : undefined);
    const conversation = (await call("GET", `/api/conversations/${id}/usage`)).json;
    expect(conversation).toMatchObject({ completion_tokens: 12, total_tokens: whole?.usage?.total_tokens });
    const after = await ledger();
    expect(after.answers - before.answers).toBe(2);
    expect(after.completion_tokens - before.completion_tokens).toBe(12);
  });
});

test("a stopped answer counts what it produced before Stop, estimated", async () => {
  const id = await createConversation(app.url);
  const before = await ledger();
  const started = await call("POST", "/api/chat", {
    conversationId: id,
    content: "/sim tps=20 tokens=200\nA long one",
    parentId: null,
  });
  let stopped = false;
  const read = await readStream(`${app.url}${started.json.streamUrl}`, {
    timeoutMs: 15_000,
    onEvent: (_, events) => {
      if (stopped || events.length < 4) return;
      stopped = true;
      void call("DELETE", started.json.streamUrl);
    },
  });
  const done = JSON.parse(read.events.at(-1)?.data ?? "{}");
  expect(done.finish_reason).toBe("cancelled");
  const tokens = read.events.filter((event) => event.event === "token").length;
  expect(done.usage).toMatchObject({ completion_tokens: tokens, estimated: true });
  const stored = await waitUntil(
    "the stopped answer to be stored",
    () => readConversation(app.url, id),
    (conversation) => conversation.messages.length === 2,
  );
  expect(stored.messages[1]?.usage).toEqual(done.usage);
  const after = await waitUntil("it to be counted", ledger, (now) => now.answers > before.answers);
  expect(after.completion_tokens - before.completion_tokens).toBe(tokens);
});

test("GET /api/usage: days by model, totals, budgets; a range checked", async () => {
  const usage = (await call("GET", "/api/usage")).json;
  const today = new Date().toISOString().slice(0, 10);
  expect(usage).toMatchObject({ from: `${today.slice(0, 8)}01`, to: today });
  expect(usage.days[0]).toMatchObject({ day: today, model: "demo" });
  expect(usage.days[0].user).toBeUndefined();
  expect(usage.budget.day).toMatchObject({ limit: null });
  for (const [query, field] of [
    ["?from=2026-02-30", "from"],
    ["?from=2026-03-02&to=2026-03-01", "from"],
    ["?from=2024-01-01&to=2026-01-01", "from"],
    ["?to=tomorrow", "to"],
  ]) {
    const refused = await call("GET", `/api/usage${query}`);
    expect([refused.status, refused.json.error.field]).toEqual([400, field]);
  }
  expect((await call("GET", "/api/conversations/nope/usage")).status).toBe(404);
});

describe("a model that refuses stream_options (UPSTREAM_INCLUDE_USAGE)", () => {
  const refusing = "/sim tokens=4 usage=reject\nhi";
  const answer = async (base: string, content: string, model: string) => {
    const started = await callJson(base, "POST", "/api/chat", { model, messages: [{ role: "user", content }] });
    const read = await readStream(`${base}${started.json.streamUrl}`, { timeoutMs: 10_000 });
    return { event: read.events.at(-1)?.event, data: JSON.parse(read.events.at(-1)?.data ?? "{}") };
  };

  test("auto: asked again without it, estimated, and not asked again; on: the refusal is the answer's error", async () => {
    const older = await startApp({ SIM_TTFT_MS: "0", MODELS: "older" });
    const strict = await startApp({ SIM_TTFT_MS: "0", UPSTREAM_INCLUDE_USAGE: "on" });
    try {
      const learnt = await answer(older.url, refusing, "older");
      expect(learnt.event).toBe("done");
      expect(learnt.data.usage).toMatchObject({ completion_tokens: 4, estimated: true });
      expect(older.output()).toContain("refuses stream_options");
      // Learnt for that model: it is no longer asked, so even a model that would send usage is estimated.
      expect((await answer(older.url, "/sim tokens=4\nhi", "older")).data.usage.estimated).toBe(true);
      expect((await answer(older.url, "/sim tokens=4\nhi", "demo")).data.usage.estimated).toBeUndefined();
      // The negative control: asked regardless, the model's refusal ends the answer.
      const refused = await answer(strict.url, refusing, "demo");
      expect([refused.event, refused.data.code]).toEqual(["error", "upstream_rejected"]);
    } finally {
      await Promise.all([older.stop(), strict.stop()]);
    }
  });

  test("off: never asked; every usage is estimated", async () => {
    const off = await startApp({ SIM_TTFT_MS: "0", UPSTREAM_INCLUDE_USAGE: "off" });
    try {
      expect((await answer(off.url, refusing, "demo")).data.usage).toMatchObject({
        completion_tokens: 4,
        estimated: true,
      });
    } finally {
      await off.stop();
    }
  });
});

test("a /v1 client that leaves mid-stream: what it received is counted, estimated", async () => {
  const before = await ledger();
  const controller = new AbortController();
  const init = {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ stream: true, messages: [{ role: "user", content: "/sim tps=20 tokens=200\nlong" }] }),
    signal: controller.signal,
  };
  const response = await fetch(`${app.url}/v1/chat/completions`, init);
  const reader = response.body?.getReader();
  let seen = "";
  while (!seen.includes('"content":"', seen.indexOf('"content":"') + 20)) {
    const { value } = (await reader?.read()) ?? {};
    seen += new TextDecoder().decode(value);
  }
  controller.abort();
  const after = await waitUntil("the call to be counted", ledger, (now) => now.answers > before.answers);
  expect(after.completion_tokens - before.completion_tokens).toBeGreaterThan(0);
  expect(after.completion_tokens - before.completion_tokens).toBeLessThan(200);
  expect(after.estimated_tokens).toBeGreaterThan(before.estimated_tokens);
});
