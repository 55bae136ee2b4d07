/**
 * A question's documents, for every backend: called from the shared suite (store-suite.ts), so
 * SQLite, the worker and PostgreSQL all run it. Listed with their message, read whole or up to a
 * bound, only by their owner, gone with their message or conversation, counted in stored bytes.
 */
import { expect, test } from "bun:test";
import type { NewDocument } from "../../src/conversations/documents.ts";
import type { ConversationStore } from "../../src/conversations/store.ts";

const OWNER = "alice";

const document = (name: string, text: string, pdfPages?: number): NewDocument => ({
  id: crypto.randomUUID(),
  name,
  media_type: pdfPages ? "application/pdf" : "text/plain",
  size: text.length * 3,
  pages: pdfPages ?? null,
  text,
});

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

export function describeStoreDocuments(fresh: () => Promise<ConversationStore>): void {
  test("a question's documents: listed with it (no text), read whole or up to a bound, only by the owner", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    const notes = document("notes.md", "# Notes\nÉté à Tōkyō 🗼\n");
    const report = document("report.pdf", "Page one.\n\nPage two.", 2);
    await store.beginExchange(OWNER, id, {
      streamId: "s1",
      userContent: "read these",
      title: "read",
      documents: [notes, report],
    });
    const question = (await store.get(OWNER, id))?.messages[0];
    expect(question?.documents).toEqual([
      { id: notes.id, name: "notes.md", media_type: "text/plain", size: notes.size, characters: notes.text.length },
      {
        id: report.id,
        name: "report.pdf",
        media_type: "application/pdf",
        size: report.size,
        characters: report.text.length,
        pages: 2,
      },
    ]);
    const whole = await store.getDocument(OWNER, id, notes.id);
    expect(whole).toMatchObject({ ...notes, message_id: question?.id, characters: notes.text.length });
    expect(await store.getDocument("bob", id, notes.id)).toBeUndefined();
    expect(await store.getDocument(OWNER, "other", notes.id)).toBeUndefined();
    // Up to a bound: a context never loads more of a document than it can send.
    const cut = await store.documentsOf(OWNER, id, [question?.id as string], 4);
    expect(cut.map((d) => [d.name, d.text, d.characters])).toEqual([
      ["notes.md", "# No", notes.text.length],
      ["report.pdf", "Page", report.text.length],
    ]);
    expect(await store.documentsOf("bob", id, [question?.id as string], 100)).toEqual([]);
  });

  test("documents go with their question and conversation, and their text counts in stored bytes", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    const kept = document("a.txt", "ünïcode text");
    const before = (await store.usage(OWNER)).bytes;
    await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "q", title: "q", documents: [kept] });
    expect((await store.usage(OWNER)).bytes).toBe(before + utf8("q") + utf8("q") + utf8(kept.text));
    const error = { code: "upstream_error", message: "no", retryable: true };
    await store.finishExchange(OWNER, id, { streamId: "s1", content: "", status: "error", error });
    // Retry: the same text without documents keeps the question, and its document.
    await store.beginExchange(OWNER, id, { streamId: "s2", userContent: "q", title: "q" });
    await store.finishExchange(OWNER, id, { streamId: "s2", content: "ok", status: "complete" });
    const messages = (await store.get(OWNER, id))?.messages ?? [];
    expect(messages.map((m) => m.documents?.length ?? 0)).toEqual([1, 0]);
    expect(await store.deleteBranch(OWNER, id, messages[0]?.id as string)).toBe(true);
    expect(await store.getDocument(OWNER, id, kept.id)).toBeUndefined();
    expect((await store.usage(OWNER)).bytes).toBe(before + utf8("q"));
    const again = document("b.txt", "again");
    await store.beginExchange(OWNER, id, { streamId: "s3", userContent: "x", title: "x", documents: [again] });
    expect(await store.delete(OWNER, id)).toBe(true);
    expect(await store.getDocument(OWNER, id, again.id)).toBeUndefined();
    expect((await store.usage(OWNER)).bytes).toBe(0);
  });

  test("a failed question asked again with a document of its own is a new question, not a retry", async () => {
    const store = await fresh();
    const { id } = await store.create(OWNER);
    await store.beginExchange(OWNER, id, { streamId: "s1", userContent: "look", title: "look" });
    await store.finishExchange(OWNER, id, { streamId: "s1", content: "", status: "error" });
    await store.beginExchange(OWNER, id, {
      streamId: "s2",
      userContent: "look",
      title: "look",
      documents: [document("c.txt", "c")],
    });
    const messages = (await store.get(OWNER, id))?.messages ?? [];
    expect(messages.map((m) => [m.role, m.documents?.length ?? 0])).toEqual([
      ["user", 0],
      ["assistant", 0],
      ["user", 1],
    ]);
  });
}
