/**
 * The conversations API: list (or search), create, read (a path through the tree, or a window of
 * it), update (title, instructions, model, tools, the branch shown), delete. A thin controller over a
 * {@link ConversationStore}; bodies and parameters are checked by their schemas (schemas.ts).
 */
import { Elysia } from "elysia";
import type { ConversationStore, PathRead } from "../conversations/store.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { chooseModel, type ModelPolicy } from "./model-policy.ts";
import { userOf } from "./requester.ts";
import {
  ConversationIdParams,
  ConversationListQuery,
  ConversationReadQuery,
  CreateConversationBody,
  UpdateConversationBody,
} from "./schemas.ts";

/** A title as stored: one line, trimmed; empty means none. */
function cleanTitle(title: string | undefined): string | null {
  const clean = title?.replace(/\s+/g, " ").trim();
  return clean ? clean : null;
}

/** The read a query asks for (numbers checked by their schema's pattern). */
function pathRead(query: typeof ConversationReadQuery.static): PathRead {
  return {
    leaf: query.leaf,
    before: query.before,
    limit: query.limit === undefined ? undefined : Number(query.limit),
    maxBytes: query.max_bytes === undefined ? undefined : Number(query.max_bytes),
  };
}

type Update = typeof UpdateConversationBody.static;

/** The update's values, checked before any is applied: a refused field changes nothing. */
function checkedUpdate(body: Update, policy: Pick<ModelPolicy, "models">) {
  if (Object.values(body).every((value) => value === undefined))
    throw new ValidationError("title", "is required unless system_prompt, model, tools or current_leaf_id is given");
  const title = body.title === undefined ? undefined : cleanTitle(body.title);
  if (title === null) throw new ValidationError("title", "must not be blank");
  // Blank instructions are no instructions: the server's default applies again.
  const prompt = body.system_prompt === undefined ? undefined : body.system_prompt?.trim() || null;
  const model = body.model == null ? body.model : chooseModel(policy, body.model);
  return { title, prompt, model, tools: body.tools, leaf: body.current_leaf_id };
}

/** Applies a checked update; false when the conversation is not `owner`'s. */
async function applyUpdate(
  store: ConversationStore,
  owner: string,
  id: string,
  update: ReturnType<typeof checkedUpdate>,
) {
  const { title, prompt, model, tools, leaf } = update;
  if (title !== undefined && !(await store.rename(owner, id, title))) return false;
  if (prompt !== undefined && !(await store.setSystemPrompt(owner, id, prompt))) return false;
  if (model !== undefined && !(await store.setModel(owner, id, model))) return false;
  if (tools !== undefined && !(await store.setTools(owner, id, tools))) return false;
  return leaf === undefined || (await store.setCurrentLeaf(owner, id, leaf)) !== undefined;
}

/** The `/api/conversations` routes over `store`, each acting for the signed-in user only. */
export function conversationRoutes(store: ConversationStore, policy: Pick<ModelPolicy, "models">) {
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
      async ({ params, query, request }) =>
        (await store.get(userOf(request), params.id, pathRead(query))) ?? notFound(params.id),
      { params: ConversationIdParams, query: ConversationReadQuery },
    )
    .patch(
      "/api/conversations/:id",
      async ({ params, body, request }) => {
        const owner = userOf(request);
        if (!(await applyUpdate(store, owner, params.id, checkedUpdate(body, policy)))) notFound(params.id);
        const found = (await store.tree(owner, params.id)) ?? notFound(params.id);
        const { running_stream_id, running_parent_id, running_continues_id, ...conversation } = found.conversation;
        return conversation;
      },
      { params: ConversationIdParams, body: UpdateConversationBody },
    )
    .delete(
      "/api/conversations/:id",
      async ({ params, request }) =>
        (await store.delete(userOf(request), params.id)) ? noContent() : notFound(params.id),
      { params: ConversationIdParams },
    );
}

/**
 * 204 with no body at all: Elysia's `status(204)` gives the Response an empty body, which Deno
 * refuses for a null-body status ("Response with null body status cannot have body"), a 500.
 */
export const noContent = () => new Response(null, { status: 204 });

function notFound(id: string): never {
  throw new NotFoundError(`conversation ${id.slice(0, 64)}`);
}
