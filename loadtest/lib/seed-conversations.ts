/**
 * Fills a conversation store with many conversations before the app starts, for the store
 * fairness bench and the tests that need a large history: straight through SQL, one transaction
 * (SQLite) or a few large inserts (PostgreSQL), after the store's own migrations, so that its
 * triggers index every row as they do in use. Through the API it would take minutes.
 *
 * The text is made of a fixed vocabulary with a few very common words, as prose has: a query of
 * the {@link COMMON_WORDS} matches (nearly) every seeded conversation, the worst case for search.
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openPostgresStore } from "../../src/conversations/postgres.ts";
import { searchWords } from "../../src/conversations/search-words.ts";
import { databaseFileName, openSqliteStore } from "../../src/conversations/sqlite.ts";
import { createRandom } from "../../src/simulator/prng.ts";

export interface SeedPlan {
  owner: string;
  conversations: number;
  /** Characters of each conversation's question; its answer is a tenth of that. */
  promptChars: number;
}

const SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "zu", "qe", "pa", "do", "fi", "ge", "hu", "jo"];

/** The vocabulary, most common first. */
const VOCABULARY: readonly string[] = (() => {
  const random = createRandom(18);
  const words = new Set<string>();
  while (words.size < 2_000) {
    const length = 2 + Math.floor(random() * 3);
    words.add(Array.from({ length }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(""));
  }
  return [...words];
})();

/** The most common words of the seeded text: in (nearly) every seeded message. */
export const COMMON_WORDS: readonly string[] = VOCABULARY.slice(0, 12);

/** About `chars` characters of words, the first ones far more common than the rest (a cubic skew). */
export function seededText(random: () => number, chars: number): string {
  const words: string[] = [];
  let length = 0;
  while (length < chars) {
    const word = VOCABULARY[Math.floor(random() ** 3 * VOCABULARY.length)] as string;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(" ");
}

interface SeededConversation {
  id: string;
  owner: string;
  title: string;
  at: number;
  question: string;
  answer: string;
}

function* conversationsOf(plans: SeedPlan[]): Generator<SeededConversation> {
  const random = createRandom(7);
  const start = Date.now() - 86_400_000;
  let at = start;
  for (const plan of plans)
    for (let index = 0; index < plan.conversations; index++) {
      const question = seededText(random, plan.promptChars);
      const answer = seededText(random, Math.ceil(plan.promptChars / 10));
      yield { id: crypto.randomUUID(), owner: plan.owner, title: question.slice(0, 40), at: at++, question, answer };
    }
}

/** Seeds the SQLite store of `dataDir` (created and migrated when needed). */
export async function seedSqlite(dataDir: string, plans: SeedPlan[]): Promise<void> {
  await (await openSqliteStore(dataDir)).close();
  const db = new DatabaseSync(join(dataDir, databaseFileName));
  const conversation = db.prepare(
    "INSERT INTO conversations (id, owner, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
  );
  const message = db.prepare(
    "INSERT INTO messages (id, conversation_id, role, content, status, created_at) VALUES (?, ?, ?, ?, 'complete', ?)",
  );
  db.exec("BEGIN");
  for (const seeded of conversationsOf(plans)) {
    conversation.run(seeded.id, seeded.owner, seeded.title, seeded.at, seeded.at);
    message.run(crypto.randomUUID(), seeded.id, "user", seeded.question, seeded.at);
    message.run(crypto.randomUUID(), seeded.id, "assistant", seeded.answer, seeded.at);
  }
  db.exec("COMMIT");
  // Into the database file, as a store in use would have it, not a fresh WAL every read goes through.
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

/** Seeds the PostgreSQL database of `url` (in `schema` when given), migrating it first. */
export async function seedPostgres(url: string, plans: SeedPlan[], schema?: string): Promise<void> {
  const store = await openPostgresStore(url, { poolSize: 1, ...(schema ? { schema } : {}) });
  const sql = store.sql;
  try {
    const batch: SeededConversation[] = [];
    const flush = async () => {
      const conversations = batch.map(({ id, owner, title, at }) => ({
        id,
        owner,
        title,
        title_words: searchWords(title),
        created_at: at,
        updated_at: at,
      }));
      const messages = batch.flatMap(({ id, at, question, answer }) =>
        [
          ["user", question],
          ["assistant", answer],
        ].map(([role, content]) => ({
          id: crypto.randomUUID(),
          conversation_id: id,
          role,
          content,
          status: "complete",
          created_at: at,
          search_words: searchWords(content as string),
        })),
      );
      await sql`INSERT INTO conversations ${sql(conversations)}`;
      await sql`INSERT INTO messages ${sql(messages)}`;
      batch.length = 0;
    };
    for (const seeded of conversationsOf(plans)) {
      batch.push(seeded);
      if (batch.length === 200) await flush();
    }
    if (batch.length > 0) await flush();
    // Statistics and visibility as autovacuum would leave them on a database in use.
    await sql`VACUUM ANALYZE`;
  } finally {
    await store.close();
  }
}
