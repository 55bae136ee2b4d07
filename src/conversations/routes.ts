/**
 * The conversations API: list, create, read, rename, delete. A thin controller over a
 * {@link ConversationStore}; bodies and parameters are checked by the `t` models below.
 */
import { Elysia, t } from "elysia";
import { errorResponse, NotFoundError, SluiceError, ValidationError } from "../errors.ts";
import { toValidationError } from "../http/validation.ts";
import type { ConversationStore } from "./store.ts";

const maxTitleLength = 200;

const idParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) });
const listQuery = t.Object({
  // Elysia checks a coerced query number on its own, without its path: the field is named here.
  limit: t.Optional(
    t.Numeric({
      minimum: 1,
      maximum: 100,
      error: () => ({ field: "limit", message: "expected a whole number 1..100" }),
    }),
  ),
  before: t.Optional(t.String({ maxLength: 200 })),
});
const createBody = t.Optional(t.Object({ title: t.Optional(t.String({ maxLength: maxTitleLength })) }));
const renameBody = t.Object({ title: t.String({ minLength: 1, maxLength: maxTitleLength }) });

/** A title as stored: one line, trimmed; empty means none. */
function cleanTitle(title: string | undefined): string | null {
  const clean = title?.replace(/\s+/g, " ").trim();
  return clean ? clean : null;
}

interface ElysiaValidation {
  customError?: unknown;
  all: { path?: string; summary?: string }[];
}

/** `{ "error": { code, message, field? } }` responses for everything these routes can throw. */
function toErrorResponse(code: string | number, error: unknown): Response {
  if (error instanceof SluiceError) return errorResponse(error);
  if (code === "VALIDATION") {
    const custom = (error as ElysiaValidation).customError as { field?: string; message?: string } | undefined;
    if (custom?.field && custom.message) return errorResponse(new ValidationError(custom.field, custom.message));
    return errorResponse(toValidationError(error as ElysiaValidation));
  }
  // A parse hook's own error (413, 415) arrives wrapped in Elysia's ParseError.
  const cause = (error as { cause?: unknown }).cause;
  if (code === "PARSE")
    return errorResponse(cause instanceof SluiceError ? cause : new ValidationError("body", "expected a JSON object"));
  return errorResponse(error);
}

/** The `/api/conversations` routes over `store`. */
export function conversationRoutes(store: ConversationStore) {
  return new Elysia()
    .onError(({ code, error }) => toErrorResponse(code, error))
    .get(
      "/api/conversations",
      ({ query }) => store.list({ limit: query.limit ?? 30, before: query.before || undefined }),
      { query: listQuery },
    )
    .post("/api/conversations", async ({ body, status }) => status(201, await store.create(cleanTitle(body?.title))), {
      body: createBody,
    })
    .get("/api/conversations/:id", async ({ params }) => (await store.get(params.id)) ?? notFound(params.id), {
      params: idParams,
    })
    .patch(
      "/api/conversations/:id",
      async ({ params, body }) => {
        const title = cleanTitle(body.title);
        if (!title) throw new ValidationError("title", "must not be blank");
        return (await store.rename(params.id, title)) ?? notFound(params.id);
      },
      { params: idParams, body: renameBody },
    )
    .delete(
      "/api/conversations/:id",
      async ({ params, status }) => ((await store.delete(params.id)) ? status(204) : notFound(params.id)),
      { params: idParams },
    );
}

function notFound(id: string): never {
  throw new NotFoundError(`conversation ${id.slice(0, 64)}`);
}
