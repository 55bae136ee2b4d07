/**
 * `/v1/chat/completions` caps every spelling of the token limit (a small `max_completion_tokens`
 * no longer hides `max_tokens: 1000000`), and passes only text and images the request carries: a
 * remote `image_url` (which the model's server would fetch: SSRF), `file` and `input_audio` parts
 * are refused unless V1_ALLOW_ANY_CONTENT says otherwise. The fake model records what left.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeModel } from "../../harness/fake-model.ts";
import { ALICE, call, startTarget, type TargetApp } from "./setup.ts";

const upstream = startFakeModel({ models: ["m1"], tokens: ["ok"] });
const { received } = upstream;
afterAll(() => upstream.stop());

const settings = { UPSTREAM_BASE_URL: upstream.baseUrl, MODEL: "m1", MAX_OUTPUT_TOKENS: "500" };
// The smallest PNG there is (a 1×1 transparent pixel).
const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const METADATA_URL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";

const withParts = (...parts: unknown[]) => ({
  messages: [{ role: "user", content: [{ type: "text", text: "what is this?" }, ...parts] }],
});
const completion = (app: TargetApp, body: Record<string, unknown>) =>
  call(app, ALICE, "POST", "/v1/chat/completions", { messages: [{ role: "user", content: "hi" }], ...body });

/** What the upstream received for `body`, or the refusal's status and field. */
async function outcome(app: TargetApp, body: Record<string, unknown>) {
  const before = received.length;
  const response = await completion(app, body);
  return {
    status: response.status,
    field: response.json?.error?.field as string | undefined,
    sent: received.length > before ? received.at(-1) : undefined,
  };
}

describe("with the policy on", () => {
  let app: TargetApp;
  beforeAll(async () => {
    app = await startTarget(settings);
  });
  afterAll(() => app?.stop());

  test("every spelling of the token limit is capped: a small one does not hide a huge other", async () => {
    expect(await outcome(app, { max_completion_tokens: 100, max_tokens: 1_000_000 })).toMatchObject({
      status: 400,
      field: "max_tokens",
      sent: undefined,
    });
    expect(await outcome(app, { max_tokens: 100, max_completion_tokens: 1_000_000 })).toMatchObject({
      status: 400,
      field: "max_completion_tokens",
    });
    const both = await outcome(app, { max_tokens: 100, max_completion_tokens: 200 });
    expect(both.sent).toMatchObject({ max_tokens: 100, max_completion_tokens: 200 });
    const one = await outcome(app, { max_completion_tokens: 100 });
    expect(one.sent).toMatchObject({ max_completion_tokens: 100 });
    expect(Object.keys(one.sent ?? {})).not.toContain("max_tokens");
  });

  test("remote URLs and non-image parts are refused naming the field; a data: image goes through", async () => {
    for (const [part, field] of [
      [{ type: "image_url", image_url: { url: METADATA_URL } }, "messages[0].content[1].image_url.url"],
      [
        { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
        "messages[0].content[1].image_url.url",
      ],
      [
        { type: "image_url", image_url: { url: "data:text/html;base64,PGgxPg==" } },
        "messages[0].content[1].image_url.url",
      ],
      [{ type: "image_url", image_url: "https://example.com/cat.png" }, "messages[0].content[1].image_url.url"],
      [{ type: "file", file: { file_data: "JVBERi0=", filename: "a.pdf" } }, "messages[0].content[1].type"],
      [{ type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } }, "messages[0].content[1].type"],
      [{ type: "video_url", video_url: { url: METADATA_URL } }, "messages[0].content[1].type"],
    ] as const) {
      expect(await outcome(app, withParts(part))).toEqual({ status: 400, field, sent: undefined });
    }
    const image = await outcome(app, withParts({ type: "image_url", image_url: { url: PNG, detail: "low" } }));
    expect(image.status).toBe(200);
    expect(JSON.stringify(image.sent)).toContain(PNG);
  });
});

test("V1_ALLOW_ANY_CONTENT=true passes remote URLs and other parts on, as the operator chose", async () => {
  const app = await startTarget({ ...settings, V1_ALLOW_ANY_CONTENT: "true" });
  try {
    const remote = await outcome(app, withParts({ type: "image_url", image_url: { url: METADATA_URL } }));
    expect(remote.status).toBe(200);
    expect(JSON.stringify(remote.sent)).toContain(METADATA_URL);
    // The token caps stay whatever content is allowed.
    expect((await outcome(app, { max_completion_tokens: 1, max_tokens: 1_000_000 })).status).toBe(400);
  } finally {
    await app.stop();
  }
});

test("negative control: with the policy off, the hidden limit and the remote URL reach the model", async () => {
  const app = await startTarget(settings, { defencesOff: ["passThroughPolicy"] });
  try {
    const hidden = await outcome(app, { max_completion_tokens: 100, max_tokens: 1_000_000 });
    expect(hidden.sent).toMatchObject({ max_tokens: 1_000_000 });
    const remote = await outcome(app, withParts({ type: "image_url", image_url: { url: METADATA_URL } }));
    expect(JSON.stringify(remote.sent)).toContain(METADATA_URL);
  } finally {
    await app.stop();
  }
});
