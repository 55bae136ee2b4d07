/**
 * The admin page and API, for admins only (ADMIN_USERS, or the provider's admin groups): the edge
 * answers anyone else 404, exactly as for a route that does not exist, before the body is read,
 * and every route checks again. `GET /admin` is the page (public/admin.html, its own script);
 * the API is under `/api/admin/`. What each action does is admin/admin.ts.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Elysia } from "elysia";
import type { Admin } from "../admin/admin.ts";
import type { Actor } from "../admin/audit-log.ts";
import { NotFoundError } from "../errors.ts";
import { AdminAuditQuery, AdminGenerationParams, AdminUsersQuery, BudgetBody, SignOutBody } from "./admin-schemas.ts";
import { contentSecurityPolicyValue } from "./csp.ts";
import { requesterOf } from "./requester.ts";

export interface AdminRouteDeps {
  admin: Admin;
  /** The folder of the built UI (public/admin.html), when it is served. */
  publicDir: string | undefined;
  /** Off only in the attacker suite's negative control, with the edge's check. */
  adminOnly: boolean;
}

/** The admin making the request; a 404 for anyone else, as from a route that does not exist. */
function actorOf(request: Request, adminOnly: boolean): Actor {
  const { user, address, admin } = requesterOf(request);
  if (user === undefined || (adminOnly && admin !== true)) throw new NotFoundError("route");
  return { user, address };
}

export function adminRoutes({ admin, publicDir, adminOnly }: AdminRouteDeps) {
  const actor = (request: Request) => actorOf(request, adminOnly);
  const app = new Elysia({ name: "admin" })
    .get(
      "/api/admin/users",
      ({ request, query }) => {
        actor(request);
        return admin.users(query.days === undefined ? 30 : Number(query.days));
      },
      { query: AdminUsersQuery },
    )
    .get("/api/admin/generations", async ({ request }) => {
      actor(request);
      return { generations: await admin.running() };
    })
    .delete("/api/admin/generations/:id", ({ request, params }) => admin.stop(actor(request), params.id), {
      params: AdminGenerationParams,
    })
    .post("/api/admin/sign-outs", ({ request, body }) => admin.signOutEverywhere(actor(request), body.user), {
      body: SignOutBody,
    })
    .get(
      "/api/admin/audit",
      async ({ request, query }) => {
        actor(request);
        const limit = query.limit === undefined ? 50 : Number(query.limit);
        return {
          entries: await admin.audit({ limit, before: query.before === undefined ? undefined : Number(query.before) }),
        };
      },
      { query: AdminAuditQuery },
    );
  const setBudget = admin.setBudget;
  if (setBudget)
    app.post(
      "/api/admin/budgets",
      ({ request, body }) => {
        const { user, ...budget } = body;
        return setBudget(actor(request), user, budget);
      },
      { body: BudgetBody },
    );
  if (!publicDir) return app;
  const page = join(publicDir, "admin.html");
  return app.get("/admin", async ({ request }) => {
    actor(request);
    const headers = {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": contentSecurityPolicyValue,
      "cache-control": "no-store",
    };
    return new Response(await readFile(page), { headers });
  });
}
