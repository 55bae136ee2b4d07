/**
 * Documents end to end over real sockets: the app (on the runtime under test) in front of the
 * harness's fake model, which records every request body, so the test sees exactly what the model
 * was sent. Every kind of file, judged by its bytes whatever its name says; the limits, each
 * naming the part; a corrupt PDF refused with nothing stored; the context's share, its cut note,
 * and documents sent again with later turns; the text served to its owner; exports.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { callJson, request } from "../../harness/client/api.ts";
import { askAfter, createConversation, turnIn } from "../../harness/client/conversations.ts";
import { filePart, textPart } from "../../harness/client/file-parts.ts";
import { startFakeModel } from "../../harness/fake-model.ts";
import { pdfFile, pdfOfText } from "../../harness/pdf-file.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";

const TOKENS = { alice: "alice-token-0123456789", bob: "bob-token-0123456789ab" };
const model = startFakeModel({ models: ["reader"] });
const sent = model.received as { messages: { role: string; content: unknown }[] }[];

let app: Started;
beforeAll(async () => {
  app = await startApp({
    HOST: "127.0.0.1",
    UPSTREAM_BASE_URL: model.baseUrl,
    MODEL: "reader",
    AUTH: "token",
    AUTH_TOKENS: `alice:${TOKENS.alice},bob:${TOKENS.bob}`,
    DOCUMENT_MAX_COUNT: "8",
    DOCUMENT_MAX_BYTES: "300000",
    DOCUMENT_MAX_CHARS: "150000",
    // 50% of 20,000 tokens: 40,000 characters of documents in a context.
    MAX_CONTEXT_TOKENS: "20000",
    CONTEXT_DOCUMENT_SHARE: "50",
    CONTEXT_MAX_DOCUMENTS: "3",
  });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  model.stop();
});

type User = keyof typeof TOKENS;
const call = (method: string, path: string, body?: unknown, user: User = "alice") =>
  callJson(app.url, method, path, body, { token: TOKENS[user], timeoutMs: 30_000 });
const asAlice = { token: TOKENS.alice, timeoutMs: 30_000 };
const thread = async (id: string) => (await call("GET", `/api/conversations/${id}`)).json;

/** Asks in `id` after its last message and waits until the answer is stored. */
async function ask(id: string, content: unknown) {
  const parentId = (await thread(id)).messages.at(-1)?.id ?? null;
  return askAfter(app.url, id, content, parentId, asAlice);
}

/** The text of the last user message the model was sent. */
const lastQuestion = () => sent.at(-1)?.messages.findLast((m) => m.role === "user")?.content as string;

const utf16le = (text: string) => {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes.set([0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) bytes.set([text.charCodeAt(i) & 0xff, text.charCodeAt(i) >> 8], 2 + i * 2);
  return bytes;
};

const KINDS = [
  { name: "notes.txt", body: "Plain notes, café and 東京.\n", type: "text/plain" },
  { name: "README.md", body: "# Title\n\n- a *list*\n", type: "text/markdown" },
  { name: "main.py", body: "def add(a, b):\n\treturn a + b\n", type: "text/x-python" },
  { name: "prices.csv", body: "item,price\r\ntea,3\r\n", type: "text/csv" },
  { name: "config.json", body: '{"retries": 3}', type: "application/json" },
  { name: "server.log", body: "\x1b[31mERROR\x1b[0m disk full\n", type: "text/plain" },
];

test("every kind is read by its bytes, stored with the question and sent as text after its words", async () => {
  const id = await createConversation(app.url, asAlice);
  const pdf = pdfFile([["Quarterly report", "Revenue grew."], ["Second page."]]);
  const content = [
    ...KINDS.map((kind) => filePart(kind.name, kind.body, kind.type)),
    filePart("windows.log", utf16le("UTF-16 log line\r\n"), "text/plain"),
    filePart("report.pdf", pdf, "application/pdf"),
    textPart("Summarize these."),
  ];
  const started = await ask(id, content);
  expect(started.status).toBe(202);
  const question = (await thread(id)).messages[0];
  expect(question.content).toBe("Summarize these.");
  expect(question.documents.map((d: { name: string }) => d.name)).toEqual([
    ...KINDS.map((kind) => kind.name),
    "windows.log",
    "report.pdf",
  ]);
  expect(question.documents[0]).toMatchObject({ media_type: "text/plain", characters: KINDS[0]?.body.length });
  expect(question.documents[0].size).toBe(new TextEncoder().encode(KINDS[0]?.body).byteLength);
  expect(question.documents.at(-1)).toMatchObject({ media_type: "application/pdf", size: pdf.byteLength, pages: 2 });
  const asked = lastQuestion();
  for (const kind of KINDS)
    expect(asked).toContain(
      `<document name="${kind.name}" characters="${kind.body.length}">\n${kind.body}\n</document>`,
    );
  expect(asked).toContain("UTF-16 log line\r\n");
  expect(asked).toContain("Quarterly report\nRevenue grew.\n\nSecond page.");
  expect(asked.startsWith('Summarize these.\n\n<document name="notes.txt"')).toBe(true);
  expect(started.json.context.documents).toHaveLength(8);
  // Eight documents are more than CONTEXT_MAX_DOCUMENTS (3): a later turn carries none of them.
  await ask(id, "And now?");
  expect(lastQuestion()).toBe("And now?");
  expect(sent.at(-1)?.messages.find((m) => m.content === "Summarize these.")).toBeDefined();
}, 60_000);

test("a mislabelled file is judged by its bytes: a PDF named .txt is read as a PDF, text named .pdf as text", async () => {
  const id = await createConversation(app.url, asAlice);
  const pdf = pdfFile([["Hidden in a PDF"]]);
  const started = await ask(id, [
    filePart("notes.txt", pdf, "text/plain"),
    filePart("report.pdf", "just text, really", "application/pdf"),
    textPart("What are these?"),
  ]);
  expect(started.status).toBe(202);
  const [asPdf, asText] = (await thread(id)).messages[0].documents;
  expect(asPdf).toMatchObject({ name: "notes.txt", media_type: "application/pdf", pages: 1 });
  expect(asText).toMatchObject({ name: "report.pdf", media_type: "text/plain", characters: 17 });
  expect(lastQuestion()).toContain("Hidden in a PDF");
});

test("what is neither PDF nor text is refused naming the part, and nothing is stored", async () => {
  const id = await createConversation(app.url, asAlice);
  const refuse = async (file: ReturnType<typeof filePart>, reason: RegExp) => {
    const answer = await call("POST", "/api/chat", {
      conversationId: id,
      parentId: null,
      content: [textPart("look"), filePart("fine.txt", "fine"), file],
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ code: "document_unreadable", field: "content[2].file.file_data" });
    expect(answer.json.error.message).toMatch(reason);
  };
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  await refuse(filePart("data.csv", png, "text/csv"), /neither a PDF nor text/);
  await refuse(filePart("latin1.txt", new Uint8Array([0x63, 0x61, 0x66, 0xe9]), "text/plain"), /neither/);
  await refuse(filePart("nul.log", new Uint8Array([0x61, 0x00, 0x62]), "text/plain"), /neither/);
  await refuse(filePart("empty.txt", "  \n "), /holds no text/);
  // A corrupt PDF: a clear 400 naming the part, PDF.js's reason in the message.
  await refuse(filePart("broken.pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog", "application/pdf"), /not a readable PDF/);
  // A PDF of pictures only (here: no text at all) gives nothing to send.
  await refuse(filePart("scan.pdf", pdfFile([[]]), "application/pdf"), /no text could be read/);
  const notUrl = await call("POST", "/api/chat", {
    conversationId: id,
    parentId: null,
    content: [{ type: "file", file: { filename: "x.txt", file_data: "https://example.invalid/x.txt" } }],
  });
  expect(notUrl.status).toBe(400);
  expect(notUrl.json.error.field).toBe("content[0].file.file_data");
  expect((await thread(id)).messages).toEqual([]);
  // Negative control: the same question with only the good document is taken.
  expect((await ask(id, [textPart("look"), filePart("fine.txt", "fine")])).status).toBe(202);
}, 30_000);

test("limits are settings: count 400, bytes 413, characters 413 (text and PDF), each naming the part", async () => {
  const id = await createConversation(app.url, asAlice);
  const post = (content: unknown[]) => call("POST", "/api/chat", { conversationId: id, parentId: null, content });
  const nine = await post(Array.from({ length: 9 }, (_, i) => filePart(`f${i}.txt`, "x")));
  expect(nine.status).toBe(400);
  expect(nine.json.error).toMatchObject({ code: "invalid_request", field: "content" });
  expect(nine.json.error.message).toContain("at most 8 documents");
  const large = await post([textPart("q"), filePart("big.log", "y".repeat(300_001))]);
  expect(large.status).toBe(413);
  expect(large.json.error).toMatchObject({ code: "document_too_large", field: "content[1].file.file_data" });
  const long = await post([filePart("long.txt", "x".repeat(150_001))]);
  expect(long.status).toBe(413);
  expect(long.json.error).toMatchObject({ code: "document_too_long", field: "content[0].file.file_data" });
  const longPdf = pdfOfText(Array.from({ length: 2_600 }, (_, i) => `line ${i} `.padEnd(60, "z")).join("\n"));
  expect(longPdf.byteLength).toBeLessThan(300_000);
  const pdfAnswer = await post([filePart("long.pdf", longPdf, "application/pdf")]);
  expect(pdfAnswer.status).toBe(413);
  expect(pdfAnswer.json.error).toMatchObject({ code: "document_too_long", field: "content[0].file.file_data" });
  expect((await thread(id)).messages).toEqual([]);
  // Negative control: at the limits exactly, it is taken.
  expect((await ask(id, [filePart("edge.txt", "é".repeat(150_000))])).status).toBe(202);
}, 60_000);

test("a document larger than its share is cut with a note; later turns send it again, newest first", async () => {
  const id = await createConversation(app.url, asAlice);
  const big = Array.from({ length: 2_000 }, (_, i) => `row ${i}`.padEnd(49, ".")).join("\n");
  expect(big.length).toBe(99_999);
  const started = await ask(id, [filePart("big.csv", big), textPart("Read it.")]);
  // The whole share (40,000 characters) goes to the one document.
  expect(started.json.context.documents).toEqual([
    expect.objectContaining({ name: "big.csv", characters: 99_999, sent_characters: 40_000 }),
  ]);
  const note = "[Cut to fit the context: the first 40,000 of 99,999 characters of this document were sent.]";
  expect(lastQuestion()).toContain(`${big.slice(0, 40_000)}\n${note}\n</document>`);
  // Asked again later: carried, under the same rule.
  const later = await ask(id, "What is in row 3?");
  expect(later.json.context.documents[0]).toMatchObject({ name: "big.csv", sent_characters: 40_000 });
  const carried = sent.at(-1)?.messages.find((m) => typeof m.content === "string" && m.content.startsWith("Read it."));
  expect(carried?.content).toContain(note);
  // Two small ones later: sent whole, the large one shares what is left.
  await ask(id, [filePart("a.txt", "a".repeat(1_000)), filePart("b.txt", "b".repeat(2_000)), textPart("And these?")]);
  const shared = (await ask(id, "Compare.")).json.context.documents;
  expect(shared.map((d: { name: string; sent_characters: number }) => [d.name, d.sent_characters])).toEqual([
    ["big.csv", 37_000],
    ["a.txt", 1_000],
    ["b.txt", 2_000],
  ]);
}, 60_000);

test("a question's documents stay with it: Retry and Edit send them again", async () => {
  const id = await createConversation(app.url, asAlice);
  model.failNext();
  await ask(id, [filePart("keep.md", "# Kept"), textPart("Explain.")]);
  const retry = await turnIn(app.url, id, { content: "Explain.", parentId: null }, asAlice);
  expect(retry.status).toBe(202);
  expect(lastQuestion()).toContain("# Kept");
  const [question] = (await thread(id)).messages;
  expect(question.documents).toHaveLength(1);
  // Edit: new words, the same document (copied under a new id).
  const edit = await turnIn(app.url, id, { content: "Explain briefly.", parentId: null, replace: true }, asAlice);
  expect(edit.status).toBe(202);
  expect(lastQuestion()).toContain("# Kept");
  expect(lastQuestion().startsWith("Explain briefly.\n\n<document")).toBe(true);
}, 30_000);

test("the owner reads a document's text as plain text; another user gets 404; exports list documents", async () => {
  const id = await createConversation(app.url, asAlice);
  await call("PATCH", `/api/conversations/${id}`, { title: "Docs" });
  await ask(id, [
    filePart("<b>q3</b>.pdf", pdfFile([["<script>alert(1)</script>"]]), "application/pdf"),
    textPart("q"),
  ]);
  const [document] = (await thread(id)).messages[0].documents;
  const path = `/api/conversations/${id}/documents/${document.id}`;
  const served = await request(`${app.url}${path}`, {}, { token: TOKENS.alice });
  expect(served.status).toBe(200);
  expect(served.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  expect(served.headers.get("x-content-type-options")).toBe("nosniff");
  expect(served.headers.get("content-disposition")).toContain("filename*=UTF-8''%3Cb%3Eq3%3C%20b%3E.pdf.txt");
  expect(await served.text()).toBe("<script>alert(1)</script>");
  const stranger = await call("GET", path, undefined, "bob");
  expect(stranger.status).toBe(404);
  expect(stranger.json.error.code).toBe("not_found");
  const markdown = await call("GET", `/api/conversations/${id}/export?format=md`);
  expect(markdown.text).toContain("_Documents:_\n\n- \\<b\\>q3\\</b\\>.pdf (");
  expect(markdown.text).toMatch(/\.pdf \(\d+ bytes, PDF, 1 page\)\n/);
  const json = JSON.parse((await call("GET", `/api/conversations/${id}/export?format=json`)).text);
  expect(json.messages[0].documents).toEqual([
    {
      id: document.id,
      name: "<b>q3</b>.pdf",
      media_type: "application/pdf",
      size: document.size,
      characters: 25,
      pages: 1,
    },
  ]);
  expect(JSON.stringify(json)).not.toContain("alert(1)");
}, 30_000);

test("the chat settings tell the page the document caps", async () => {
  const settings = (await call("GET", "/api/chat-settings")).json;
  expect(settings.documents).toEqual({ max_count: 8, max_bytes: 300_000, max_characters: 150_000 });
});
