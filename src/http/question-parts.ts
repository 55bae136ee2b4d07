/**
 * A question sent as OpenAI content parts (`text`, `image_url`, `file`) taken apart into its text,
 * its images (image-parts.ts) and its documents (document-parts.ts), each checked before anything
 * is stored: how many of each a question may carry, then every part's cheap checks, and only then
 * the reading of PDFs, so a question refused for its fourth part costs no parsing of the first.
 */

import type { QuestionPart } from "../contract.ts";
import type { NewDocument } from "../conversations/documents.ts";
import type { NewImage } from "../conversations/images.ts";
import type { PdfReader } from "../documents/pdf-reader.ts";
import { ValidationError } from "../errors.ts";
import type { DocumentLimits, ImageLimits } from "../settings/attachments.ts";
import { type CheckedDocument, checkDocument, readDocument } from "./document-parts.ts";
import { readImage } from "./image-parts.ts";
import type { LiftedDataUrls } from "./lifted-data-urls.ts";

export interface Question {
  text: string;
  images: NewImage[];
  documents: NewDocument[];
}

/** What a question may carry, and what reads its PDFs. */
export interface QuestionLimits {
  images: ImageLimits;
  documents: DocumentLimits;
  /** Absent: a PDF is refused as unreadable. */
  reader: PdfReader | undefined;
}

function refusePast(count: number, max: number, what: "images" | "documents"): void {
  if (count <= max) return;
  throw new ValidationError(
    "content",
    max === 0 ? `this server takes no ${what}` : `at most ${max} ${what} per message`,
  );
}

/**
 * The text, images and documents of `content`; throws a 400 naming the field, or a 413 for a
 * part too large (or a document's text too long). An image whose URL the body reader lifted out
 * (`lifted`, chat-body.ts) is decoded from its bytes.
 */
export async function readQuestion(
  content: string | QuestionPart[],
  limits: QuestionLimits,
  owner: string,
  lifted?: LiftedDataUrls,
): Promise<Question> {
  if (typeof content === "string") return { text: content, images: [], documents: [] };
  refusePast(content.filter((part) => part.type === "image_url").length, limits.images.maxCount, "images");
  refusePast(content.filter((part) => part.type === "file").length, limits.documents.maxCount, "documents");
  const texts: string[] = [];
  const images: NewImage[] = [];
  const checked: CheckedDocument[] = [];
  content.forEach((part, index) => {
    const field = `content[${index}]`;
    if (part.type === "text") texts.push(part.text);
    else if (part.type === "image_url")
      images.push(readImage(part.image_url.url, `${field}.image_url.url`, limits.images.maxBytes, lifted));
    else checked.push(checkDocument(part.file, `${field}.file`, limits.documents));
  });
  const documents: NewDocument[] = [];
  for (const document of checked) documents.push(await readDocument(document, limits.documents, limits.reader, owner));
  // Empty text and nothing attached is refused by the turn, which alone knows whether it is a Retry.
  return { text: texts.join("\n"), images, documents };
}
