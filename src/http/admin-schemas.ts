/**
 * The admin API's request schemas (http/admin.ts): the one source of their types. A field that
 * fails is answered 400 naming it, to admins only (the edge answers everyone else 404 first).
 */
import { t } from "elysia";

// The names Sluice's access modes give users (auth-settings.ts USER_NAME).
const User = t.String({ pattern: "^[\\w.@+-]{1,128}$", error: "must be a user name" });
const Tokens = t.Union([t.Integer({ minimum: 0, maximum: 1_000_000_000_000 }), t.Null()], {
  error: "must be a whole number of tokens, or null for the server's default",
});

export const AdminUsersQuery = t.Object({
  days: t.Optional(
    t.String({ pattern: "^(36[0-6]|3[0-5][0-9]|[12][0-9]{2}|[1-9][0-9]?)$", error: "expected a whole number 1..366" }),
  ),
});

export const AdminAuditQuery = t.Object({
  limit: t.Optional(t.String({ pattern: "^(100|[1-9][0-9]?)$", error: "expected a whole number 1..100" })),
  before: t.Optional(t.String({ pattern: "^[1-9][0-9]{0,15}$", error: "must be an entry id" })),
});

export const AdminGenerationParams = t.Object({
  id: t.String({ pattern: "^[A-Za-z0-9_-]{1,64}$", error: "must be a stream id" }),
});

export const SignOutBody = t.Object({ user: User });

export const BudgetBody = t.Object({ user: User, tokens_per_day: Tokens, tokens_per_month: Tokens });
