/**
 * The PDF reader (documents/pdf-reader.ts): text read in its worker thread page by page, a
 * file's own time bounded (its worker ended, the next file served by a new one), each user's
 * share of the queue and the queue itself bounded, and no network needed: Deno runs it with no
 * permission to connect anywhere.
 */
import { afterEach, expect, test } from "bun:test";
import { pdfFile, pdfOfText } from "../../harness/pdf-file.ts";
import { createPdfReader, type PdfReader } from "../../src/documents/pdf-reader.ts";
import { PdfTextError } from "../../src/documents/pdf-text.ts";

const readers: PdfReader[] = [];
const reader = (timeoutMs = 20_000, maxQueued = 4, maxPerUser = 2) => {
  const made = createPdfReader({ timeoutMs, maxQueued, maxPerUser });
  readers.push(made);
  return made;
};
afterEach(async () => {
  await Promise.all(readers.splice(0).map((made) => made.close()));
});

test("pages are read in order, a blank line apart, spaces collapsed", async () => {
  const pdf = pdfFile([["Title (draft)", "first   line"], [], ["Third page, \\ and ()"]]);
  expect(await reader().read(pdf, 1_000, "alice")).toEqual({
    text: "Title (draft)\nfirst line\n\nThird page, \\ and ()",
    pages: 3,
  });
}, 30_000);

test("reading stops once the text passes the limit: too_long, not the whole file", async () => {
  const pdf = pdfOfText(Array.from({ length: 500 }, (_, i) => `line ${i}`).join("\n"));
  const failure = await reader()
    .read(pdf, 200, "alice")
    .catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(PdfTextError);
  expect((failure as PdfTextError).failure).toBe("too_long");
}, 30_000);

test("a file that takes longer than its time is refused, and the next is read by a new worker", async () => {
  const slow = reader(1);
  // 1 ms: the worker cannot even start in time.
  const failure = (await slow.read(pdfFile([["x"]]), 100, "alice").catch((e: unknown) => e)) as PdfTextError;
  expect(failure.failure).toBe("unreadable");
  expect(failure.message).toContain("longer than 1 ms");
  const healthy = reader();
  expect((await healthy.read(pdfFile([["after"]]), 100, "alice")).text).toBe("after");
}, 30_000);

test("one user's share of the queue, and the queue, are bounded: 429 server_busy_documents", async () => {
  const shared = reader(20_000, 2, 1);
  const first = shared.read(pdfFile([["one"]]), 100, "alice");
  const again = await shared.read(pdfFile([["two"]]), 100, "alice").catch((e: unknown) => e);
  expect(again).toMatchObject({ code: "server_busy_documents", status: 429 });
  // Another user still gets in; the queue then fills.
  const bobs = shared.read(pdfFile([["bob"]]), 100, "bob");
  const carols = shared.read(pdfFile([["carol"]]), 100, "carol");
  const full = await shared.read(pdfFile([["dave"]]), 100, "dave").catch((e: unknown) => e);
  expect(full).toMatchObject({ code: "server_busy_documents" });
  expect((await Promise.all([first, bobs, carols])).map((read) => read.text)).toEqual(["one", "bob", "carol"]);
  // Negative control: with the first done, alice may read again.
  expect((await shared.read(pdfFile([["three"]]), 100, "alice")).text).toBe("three");
}, 30_000);

/** Runs `script` on Deno from the repository's root, allowed to read files and the environment only. */
async function denoWithoutNetwork(script: string) {
  const root = new URL("../../", import.meta.url).pathname;
  const run = Bun.spawn([`${root}node_modules/.bin/deno`, "run", "--allow-read", "--allow-env", "-"], {
    cwd: root,
    stdin: new TextEncoder().encode(script),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(run.stdout).text(),
    new Response(run.stderr).text(),
    run.exited,
  ]);
  return { out, err, code };
}

test("reading needs no network: on Deno without permission to connect anywhere", async () => {
  const read = await denoWithoutNetwork(
    [
      'import { createPdfReader } from "./src/documents/pdf-reader.ts";',
      'import { pdfFile } from "./harness/pdf-file.ts";',
      "const reader = createPdfReader({ timeoutMs: 20000, maxQueued: 2, maxPerUser: 1 });",
      'console.log(JSON.stringify(await reader.read(pdfFile([["offline"]]), 100, "u")));',
      "await reader.close();",
    ].join("\n"),
  );
  expect({ code: read.code, err: read.err }).toEqual({ code: 0, err: "" });
  expect(JSON.parse(read.out)).toEqual({ text: "offline", pages: 1 });
  // Negative control: under the same permissions, any connection is refused.
  const fetched = await denoWithoutNetwork('await fetch("http://127.0.0.1:65000/");');
  expect(fetched.code).not.toBe(0);
  expect(fetched.err).toContain("NotCapable");
}, 60_000);
