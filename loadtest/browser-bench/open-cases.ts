/**
 * The conversations the browser bench opens: the two that once froze the tab (180
 * messages in 3.5 MB; 320 short messages) and one of 300 messages with 50 branches. Seeded through
 * the API (the simulator echoes each long question back as its answer), deterministic.
 */
import { callJson } from "../../harness/client/api.ts";
import { createConversation, seedConversation, turnIn } from "../../harness/client/conversations.ts";

export interface OpenCase {
  name: string;
  /** What the table of results calls it. */
  title: string;
  /** Seeds the conversation on the stack at `base`; returns its id. */
  seed(base: string): Promise<string>;
  /** Whether the case also switches between versions of an answer. */
  switches: boolean;
}

// Each exchange of the simulator's as fast as it can write it.
const FAST = "/sim tps=100000 ttft_ms=0";

/** About `bytes` of an answer developers get: prose, a list, a TypeScript block. */
export function longMarkdown(i: number, bytes: number): string {
  const parts: string[] = [`## Part ${i}\n`];
  for (let block = 0; parts.join("\n").length < bytes; block++) {
    parts.push(
      `The store keeps record ${i}.${block} with its **computed fields**; a read returns \`Record${block}\` whole, and a write checks its tags before it is kept. Totals are rounded to cents, since they are shown and never summed again.\n`,
      `- reads: one query per record, by id\n- writes: in one transaction, tags checked first\n- deletes: soft, kept for ${block + 7} days\n`,
      [
        "```ts",
        `export async function loadRecord${block}(store: Store, id: string): Promise<Record${block}> {`,
        `  const row = await store.get("records", id); // undefined once deleted`,
        `  if (!row) throw new NotFoundError(\`record \${id} is gone\`);`,
        "  const total = row.items.reduce((sum, item) => sum + item.price * item.count, 0);",
        `  const tags = row.tags.filter((tag) => tag.length > 0 && !tag.startsWith("_"));`,
        "  return { id, total: Math.round(total * 100) / 100, tags };",
        "}",
        "```\n",
      ].join("\n"),
    );
  }
  return parts.join("\n");
}

/** 90 exchanges whose question and answer are each about 19.4 KB: 180 messages, 3.5 MB of text. */
async function seedLarge(base: string): Promise<string> {
  const questions = Array.from({ length: 90 }, (_, i) => `${FAST}\n/echo ${longMarkdown(i, 19_400)}`);
  return seedConversation(base, questions);
}

/** 160 short exchanges: 320 messages. */
async function seedShort(base: string): Promise<string> {
  const questions = Array.from({ length: 160 }, (_, i) => `${FAST} tokens=60\nShort question ${i}?`);
  return seedConversation(base, questions);
}

/**
 * 125 exchanges on the branch shown (250 messages), and 50 earlier versions of its answers
 * (Regenerate) on the newest 100 of them: 300 messages, 50 places with `< n/m >`.
 */
async function seedBranches(base: string): Promise<string> {
  const id = await createConversation(base);
  for (let i = 0; i < 125; i++) {
    await turnIn(base, id, { content: `${FAST} tokens=60\nQuestion ${i}, with versions?` });
    if (i >= 25 && i % 2 === 1) {
      const { json } = await callJson(base, "GET", `/api/conversations/${id}?limit=2`);
      await turnIn(base, id, { regenerate: json.messages[0].id });
    }
  }
  return id;
}

export const OPEN_CASES: Record<string, OpenCase> = {
  "open-3.5mb": {
    name: "open-3.5mb",
    title: "open 180 messages, 3.5 MB",
    seed: seedLarge,
    switches: false,
  },
  "open-320": { name: "open-320", title: "open 320 short messages", seed: seedShort, switches: false },
  "open-branches": {
    name: "open-branches",
    title: "open 300 messages with 50 branches",
    seed: seedBranches,
    switches: true,
  },
};
