/**
 * `GET /api/conversations/:id/export?format=md|json`: one of the user's conversations as a file
 * download. Another user's conversation is, as everywhere, one that does not exist (404).
 */
import { Elysia } from "elysia";
import { exportConversation } from "../conversations/export.ts";
import type { ConversationStore } from "../conversations/store.ts";
import { NotFoundError } from "../errors.ts";
import { userOf } from "./requester.ts";
import { ConversationIdParams, ExportQuery } from "./schemas.ts";

/**
 * RFC 6266 / RFC 8187: `filename` for every client, `filename*` with the title's own characters
 * (percent-encoded UTF-8) for those that read it. `'()*` are not attr-chars, so they are encoded too.
 */
function attachment(fileName: string, title: string | null, extension: string): string {
  // Dots and spaces at either end go: "offsite." is not to become "offsite..md", nor ".env" a hidden file.
  const stem = title
    ?.replace(/[\p{Cc}/\\]+/gu, " ")
    .replace(/\s+/g, " ")
    .replace(/^[\s.]+|[\s.]+$/g, "");
  const original = stem ? `${stem}.${extension}` : fileName;
  const encoded = encodeURIComponent(original).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fileName}"; filename*=UTF-8''${encoded}`;
}

/** The export route over `store`. */
export function exportRoutes(store: ConversationStore) {
  return new Elysia().get(
    "/api/conversations/:id/export",
    async ({ params, query, request }) => {
      const conversation = await store.get(userOf(request), params.id);
      if (!conversation) throw new NotFoundError(`conversation ${params.id.slice(0, 64)}`);
      const file = exportConversation(conversation, query.format, new Date().toISOString());
      return new Response(file.body, {
        headers: {
          "content-type": file.contentType,
          "content-disposition": attachment(file.fileName, conversation.title, query.format),
          // A user's words: never kept by a shared cache.
          "cache-control": "private, no-store",
        },
      });
    },
    { params: ConversationIdParams, query: ExportQuery },
  );
}
