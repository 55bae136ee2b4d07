/**
 * A question refused by a limit (429) is never stored. Ten questions at once, each in its own
 * conversation, from a user allowed one running answer: one is answered, nine are refused, and
 * the nine conversations stay empty. Admission and start are one step: the slot taken before the
 * question is stored is the one its answer starts in. The negative control: with the limits
 * checked only once the question is stored, the refused questions are there.
 */
import { expect, test } from "bun:test";
import { ALICE, call, startTarget, type TargetApp } from "./setup.ts";

const PARALLEL = 10;
const LIMITED = { LIMIT_USER_CONCURRENT: "1", LIMIT_USER_PER_MINUTE: "1000", DRAIN_TIMEOUT_MS: "200" };

/** Asks PARALLEL questions at once; for each, its status and what its conversation then holds. */
async function askAtOnce(app: TargetApp) {
  const ids: string[] = [];
  for (let index = 0; index < PARALLEL; index++)
    ids.push((await call(app, ALICE, "POST", "/api/conversations", {})).json.id);
  const question = "/sim tps=5 tokens=100\nslow answer";
  const statuses = await Promise.all(
    ids.map(
      async (conversationId) =>
        (await call(app, ALICE, "POST", "/api/chat", { conversationId, content: question })).status,
    ),
  );
  const stored = await Promise.all(
    ids.map(async (id) => (await call(app, ALICE, "GET", `/api/conversations/${id}`)).json.messages.length as number),
  );
  return statuses.map((status, index) => ({ status, stored: stored[index] ?? 0 }));
}

test("questions refused with 429 leave their conversations empty", async () => {
  const app = await startTarget(LIMITED);
  try {
    const asked = await askAtOnce(app);
    expect(asked.filter(({ status }) => status === 202).length).toBe(1);
    const refused = asked.filter(({ status }) => status === 429);
    expect(refused.length).toBe(PARALLEL - 1);
    expect(refused.every(({ stored }) => stored === 0)).toBe(true);
  } finally {
    await app.stop();
  }
});

test("the negative control: checked only once stored, the refused questions are stored", async () => {
  const app = await startTarget(LIMITED, { defencesOff: ["reservedStart"] });
  try {
    const refused = (await askAtOnce(app)).filter(({ status }) => status === 429);
    expect(refused.length).toBe(PARALLEL - 1);
    expect(refused.every(({ stored }) => stored > 0)).toBe(true);
  } finally {
    await app.stop();
  }
});
