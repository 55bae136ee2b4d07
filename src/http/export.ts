/**
 * `GET /api/conversations/:id/export?format=md|json`: one of the user's conversations as a file
 * download, sent as it is read (conversations/export.ts). Another user's conversation is, as
 * everywhere, one that does not exist (404).
 */
import { Elysia } from "elysia";
import { exportConversation } from "../conversations/export.ts";
import type { ConversationStore } from "../conversations/store.ts";
import { NotFoundError } from "../errors.ts";
import { contentDisposition } from "./content-disposition.ts";
import { userOf } from "./requester.ts";
import { ConversationIdParams, ExportQuery } from "./schemas.ts";

/** The pieces as a byte stream, each read when the client is ready for it; a client gone stops the reading. */
function streamOf(pieces: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      const next = await pieces.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await pieces.return(undefined);
    },
  });
}

/** The export route over `store`. */
export function exportRoutes(store: ConversationStore) {
  return new Elysia().get(
    "/api/conversations/:id/export",
    async ({ params, query, request }) => {
      const now = new Date().toISOString();
      const file = await exportConversation(store, userOf(request), params.id, query.format, now);
      if (!file) throw new NotFoundError(`conversation ${params.id.slice(0, 64)}`);
      return new Response(streamOf(file.body), {
        headers: {
          "content-type": file.contentType,
          "content-disposition": contentDisposition("attachment", file.fileName, file.title, `.${query.format}`),
          // A user's words: never kept by a shared cache.
          "cache-control": "private, no-store",
        },
      });
    },
    { params: ConversationIdParams, query: ExportQuery },
  );
}
