/**
 * `GET /api/conversations/:id/documents/:documentId`: the text of a document sent with a question,
 * as the model was given it (for a text file, the file itself; for a PDF, the text read from it),
 * for its owner to read or save. Served as plain UTF-8 text marked `nosniff`, so a browser never
 * runs it as anything else whatever it holds. Another user's document is, as their conversation
 * is, a 404.
 */
import { Elysia } from "elysia";
import type { ConversationStore } from "../conversations/store.ts";
import { NotFoundError } from "../errors.ts";
import { contentDisposition } from "./content-disposition.ts";
import { userOf } from "./requester.ts";
import { DocumentParams } from "./schemas.ts";

/** The document route over `store`, for the signed-in user's conversations only. */
export function documentRoutes(store: ConversationStore) {
  return new Elysia().get(
    "/api/conversations/:id/documents/:documentId",
    async ({ params, request }) => {
      const document = await store.getDocument(userOf(request), params.id, params.documentId);
      if (!document) throw new NotFoundError("document");
      // A PDF's text is not the PDF: saved, it is named as text.
      const pdf = document.media_type === "application/pdf";
      return new Response(document.text, {
        headers: {
          "content-type": "text/plain; charset=utf-8",
          "x-content-type-options": "nosniff",
          "content-disposition": contentDisposition("inline", "document.txt", document.name, pdf ? ".txt" : ""),
          // A document never changes under its id; private: it is one user's.
          "cache-control": "private, max-age=86400, immutable",
        },
      });
    },
    { params: DocumentParams },
  );
}
