/**
 * The conversations API: list (or search), create, read, rename, delete. A thin controller over a
 * {@link ConversationStore}; bodies and parameters are checked by their schemas (schemas.ts).
 */
import { Elysia } from "elysia";
import type { ConversationStore } from "../conversations/store.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { userOf } from "./requester.ts";
import {
  ConversationIdParams,
  ConversationListQuery,
  CreateConversationBody,
  UpdateConversationBody,
} from "./schemas.ts";

/** A title as stored: one line, trimmed; empty means none. */
function cleanTitle(title: string | undefined): string | null {
  const clean = title?.replace(/\s+/g, " ").trim();
  return clean ? clean : null;
}

/** The `/api/conversations` routes over `store`, each acting for the signed-in user only. */
export function conversationRoutes(store: ConversationStore) {
  return new Elysia()
    .get(
      "/api/conversations",
      async ({ query, request }) => {
        const limit = query.limit ? Number(query.limit) : 30;
        const text = query.q?.trim();
        // Search results come in one page: a cursor through a ranking that changes as you type buys nothing.
        if (text) return { conversations: await store.search(userOf(request), text, limit), next_cursor: null };
        return store.list(userOf(request), { limit, before: query.before || undefined });
      },
      { query: ConversationListQuery },
    )
    .post(
      "/api/conversations",
      async ({ body, status, request }) => status(201, await store.create(userOf(request), cleanTitle(body?.title))),
      { body: CreateConversationBody },
    )
    .get(
      "/api/conversations/:id",
      async ({ params, request }) => (await store.get(userOf(request), params.id)) ?? notFound(params.id),
      { params: ConversationIdParams },
    )
    .patch(
      "/api/conversations/:id",
      async ({ params, body, request }) => {
        const owner = userOf(request);
        if (body.title === undefined && body.system_prompt === undefined)
          throw new ValidationError("title", "is required unless system_prompt is given");
        const title = body.title === undefined ? undefined : cleanTitle(body.title);
        if (title === null) throw new ValidationError("title", "must not be blank");
        if (title !== undefined && !(await store.rename(owner, params.id, title))) notFound(params.id);
        // Blank instructions are no instructions: the server's default applies again.
        const prompt = body.system_prompt === undefined ? undefined : body.system_prompt?.trim() || null;
        if (prompt !== undefined && !(await store.setSystemPrompt(owner, params.id, prompt))) notFound(params.id);
        const { messages, running_stream_id, ...conversation } =
          (await store.get(owner, params.id)) ?? notFound(params.id);
        return conversation;
      },
      { params: ConversationIdParams, body: UpdateConversationBody },
    )
    .delete(
      "/api/conversations/:id",
      async ({ params, status, request }) =>
        (await store.delete(userOf(request), params.id)) ? status(204) : notFound(params.id),
      { params: ConversationIdParams },
    );
}

function notFound(id: string): never {
  throw new NotFoundError(`conversation ${id.slice(0, 64)}`);
}
