/**
 * The text of a PDF, page by page, with unpdf's build of Mozilla's PDF.js: no worker file to fetch,
 * no network, the same on Bun and Deno. It runs on the thread that calls it, and parsing is CPU
 * work, so the server calls it only inside the reader's worker thread (pdf-reader-thread.ts).
 * Pages are read one at a time and reading stops as soon as the text passes `maxChars`: a
 * thousand-page PDF over the limit costs the pages up to the limit, not all of them.
 */
import { getDocumentProxy } from "unpdf";

/** Why a PDF gave no text; `message` is for the client. */
export type PdfFailure = "unreadable" | "too_long";

export class PdfTextError extends Error {
  override name = "PdfTextError";
  constructor(
    readonly failure: PdfFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface PdfText {
  text: string;
  pages: number;
}

// Hardening for files from anyone: no code generated from font data (PDF.js's eval path,
// CVE-2024-4367), no fonts of this machine, and only errors logged (a damaged file warns a lot).
const PARSE_OPTIONS = { isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0 };

/** A page's text items as lines: each item's text, a line break where PDF.js saw one. */
function pageText(items: readonly unknown[]): string {
  let text = "";
  for (const item of items as { str?: string; hasEOL?: boolean }[]) {
    if (typeof item.str !== "string") continue;
    text += item.hasEOL ? `${item.str}\n` : item.str;
  }
  // Runs of spaces collapsed, lines trimmed at their end, at most one blank line in a row: the
  // model pays for every character.
  return text
    .replace(/[^\S\n]+/g, " ")
    .replace(/ ?\n ?/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Why PDF.js refused the file, in words a client can act on. */
function unreadable(cause: unknown): PdfTextError {
  const error = cause as { name?: string; message?: string };
  if (error?.name === "PasswordException") return new PdfTextError("unreadable", "the PDF needs a password", { cause });
  const detail = String(error?.message ?? cause).slice(0, 200);
  return new PdfTextError("unreadable", `not a readable PDF (${detail})`, { cause });
}

/** The text of the PDF `bytes` (taken over: the buffer may be detached), pages apart by a blank line. */
export async function extractPdfText(bytes: Uint8Array, maxChars: number): Promise<PdfText> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    pdf = await getDocumentProxy(bytes, PARSE_OPTIONS);
  } catch (cause) {
    throw unreadable(cause);
  }
  try {
    const texts: string[] = [];
    let length = 0;
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const text = pageText((await page.getTextContent()).items);
      page.cleanup();
      if (text === "") continue;
      length += text.length + (texts.length > 0 ? 2 : 0);
      if (length > maxChars) throw new PdfTextError("too_long", `its text passes ${maxChars} characters`);
      texts.push(text);
    }
    return { text: texts.join("\n\n"), pages: pdf.numPages };
  } catch (cause) {
    throw cause instanceof PdfTextError ? cause : unreadable(cause);
  } finally {
    await pdf.loadingTask.destroy().catch(() => {});
  }
}
