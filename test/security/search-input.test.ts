/**
 * Search input is data: any Unicode string is a valid query, on SQLite and on PostgreSQL. Random
 * text (every plane, combining marks, the code points NFKD folds into `(`, `)`, dots or spaces,
 * and query syntax) never gets a 5xx, always a list. The negative control: with the quoting of
 * PostgreSQL's query switched off, `⑴` is a 503 store_failed again, and the failure is logged.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { postgresForTests } from "../support/postgres.ts";
import { ALICE, bearer, call, startTarget, type TargetApp } from "./setup.ts";
import { FOLDING_CODE_POINTS, randomTexts } from "./unicode-text.ts";

const { server, unavailable } = await postgresForTests();

// Printed with a failure, so that it can be replayed.
const SEED = Number(process.env.SEARCH_PROPERTY_SEED ?? Date.now() % 1_000_000);
const RANDOM_QUERIES = 250;

/** At most `max` UTF-16 units of `text`, cut between code points (the route takes 200). */
function fitting(text: string, max = 200): string {
  const points = Array.from(text);
  while (points.join("").length > max) points.pop();
  return points.join("");
}

async function search(app: TargetApp, q: string) {
  const response = await fetch(`${app.url}/api/conversations?q=${encodeURIComponent(q)}`, {
    headers: bearer(ALICE),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.json() };
}

/** A conversation whose title and messages hold folding code points, so that searches reach the index. */
async function seed(app: TargetApp) {
  const created = await call(app, ALICE, "POST", "/api/conversations", { title: "Notes ⑴ ½ ﷺ ͺ" });
  const content = "/sim tokens=3 ttft_ms=0\nStep ⑴ café aͺb ﷺ 日本語 İstanbul";
  const asked = await call(app, ALICE, "POST", "/api/chat", { conversationId: created.json.id, content });
  expect(asked.status).toBe(202);
}

const engines: [string, Record<string, string> | undefined][] = [
  ["SQLite", {}],
  ["PostgreSQL", server ? { DATABASE_URL: server.url } : undefined],
];

for (const [engine, env] of engines) {
  describe(`search on ${engine}`, () => {
    if (!env) {
      test.skip(`skipped: ${unavailable}`, () => {});
      return;
    }
    let app: TargetApp;
    beforeAll(async () => {
      app = await startTarget(env);
      await seed(app);
    });
    afterAll(() => app?.stop());

    test("each code point that NFKD folds into punctuation or spaces is a valid query", async () => {
      for (const char of [...FOLDING_CODE_POINTS, "⑴ step", "ﷺ", "(1)", "'", "\\", ":*", "!"]) {
        const { status, body } = await search(app, char);
        expect({ char, status }).toEqual({ char, status: 200 });
        expect(Array.isArray(body.conversations)).toBe(true);
      }
      expect((await search(app, "⑴ step")).body.conversations.length).toBe(1);
    });

    test(`random Unicode is never a 5xx, always a list (seed ${SEED})`, async () => {
      const next = randomTexts(SEED);
      for (let index = 0; index < RANDOM_QUERIES; index++) {
        const q = fitting(next());
        const { status, body } = await search(app, q);
        expect({ q, status }).toEqual({ q, status: 200 });
        expect(Array.isArray(body.conversations)).toBe(true);
      }
    });
  });
}

test.skipIf(!server)(
  `the negative control: unquoted, "⑴" breaks PostgreSQL's query (503) and the failure is logged${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  async () => {
    const app = await startTarget({ DATABASE_URL: server?.url ?? "" }, { defencesOff: ["searchQuoting"] });
    try {
      await seed(app);
      const { status, body } = await search(app, "⑴");
      expect(status).toBe(503);
      expect(body.error.code).toBe("store_failed");
      expect(app.output()).toMatch(/"msg":"store","method":"search","code":"store_failed".*tsquery/);
    } finally {
      await app.stop();
    }
  },
);
