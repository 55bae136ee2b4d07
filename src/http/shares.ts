/**
 * Share links (conversations/shares.ts). The owner makes one for a conversation
 * (`POST /api/conversations/:id/shares`: a snapshot of the branch it shows), lists theirs
 * (`GET /api/shares`) and revokes one (`DELETE /api/shares/:id`); whoever holds a link reads the
 * snapshot (`GET /api/shared/:id`, its images under it) on its own page (`GET /s/:id`), signed in
 * or not as SHARE says, and a signed-in viewer copies it into their own chats
 * (`POST /api/shared/:id/copy`). Mounted only when SHARE is not `off`.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Elysia } from "elysia";
import type { ConversationStore } from "../conversations/store.ts";
import { NotFoundError } from "../errors.ts";
import type { ShareMode } from "../settings/usage-and-sharing.ts";
import { noContent } from "./conversations.ts";
import { contentSecurityPolicyValue } from "./csp.ts";
import { requesterOf, userOf } from "./requester.ts";
import { ConversationIdParams, SharedImageParams, ShareListQuery, ShareParams } from "./schemas.ts";

export interface ShareRouteDeps {
  store: ConversationStore;
  /** `signed-in` or `public` (`off` mounts nothing). */
  mode: Exclude<ShareMode, "off">;
  /** The folder of the built UI, for the shared page; absent in tests without the UI. */
  publicDir?: string | undefined;
}

/**
 * What every answer about a shared conversation carries: not for search engines (a link is for
 * the people it was given to), no Referer to the sites its links lead to (it would carry the
 * link), no cache that would outlive a revocation.
 */
export const SHARED_HEADERS: Record<string, string> = {
  "x-robots-tag": "noindex, nofollow",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** The paths a signed-out browser may reach under `mode`: the page's shell always, the snapshot when public. */
export function sharePublicPrefixes(mode: ShareMode): string[] {
  if (mode === "off") return [];
  return mode === "public" ? ["/s/", "/api/shared/"] : ["/s/"];
}

function notFound(): never {
  throw new NotFoundError("share");
}

/** The owner's routes: make, list and revoke links. */
function ownerRoutes(store: ConversationStore) {
  return new Elysia()
    .post(
      "/api/conversations/:id/shares",
      async ({ params, request, status }) =>
        status(201, (await store.createShare(userOf(request), params.id)) ?? notFound()),
      { params: ConversationIdParams },
    )
    .get(
      "/api/shares",
      async ({ query, request }) => ({ shares: await store.listShares(userOf(request), query.conversation) }),
      { query: ShareListQuery },
    )
    .delete(
      "/api/shares/:id",
      async ({ params, request }) => ((await store.revokeShare(userOf(request), params.id)) ? noContent() : notFound()),
      { params: ShareParams },
    );
}

/** The viewer's routes: the snapshot, its images, and a copy of one's own. */
function viewerRoutes({ store, mode }: ShareRouteDeps) {
  // Signed-in mode: any signed-in user may read a link, nobody else (401 sends the page to sign-in).
  const admit = (request: Request) => {
    if (mode === "signed-in") userOf(request);
  };
  return new Elysia()
    .get(
      "/api/shared/:id",
      async ({ params, request, set }) => {
        admit(request);
        Object.assign(set.headers, SHARED_HEADERS);
        const shared = (await store.sharedConversation(params.id)) ?? notFound();
        // Whether the viewer may copy it: a signed-in one.
        return { ...shared, can_copy: requesterOf(request).user !== undefined };
      },
      { params: ShareParams },
    )
    .get(
      "/api/shared/:id/images/:imageId",
      async ({ params, request }) => {
        admit(request);
        const image = (await store.sharedImage(params.id, params.imageId)) ?? notFound();
        return new Response(new Uint8Array(image.data), {
          headers: { ...SHARED_HEADERS, "content-type": image.media_type, "x-content-type-options": "nosniff" },
        });
      },
      { params: SharedImageParams },
    )
    .post(
      "/api/shared/:id/copy",
      async ({ params, request, status }) =>
        status(201, (await store.copyShare(userOf(request), params.id)) ?? notFound()),
      { params: ShareParams },
    );
}

/** The shared page: a shell with no data of its own, which reads the snapshot the link names. */
function sharedPage(publicDir: string) {
  const page = join(publicDir, "shared.html");
  return new Elysia().get(
    "/s/:id",
    async () =>
      new Response(await readFile(page), {
        headers: {
          ...SHARED_HEADERS,
          "cache-control": "no-cache",
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": contentSecurityPolicyValue,
          "x-content-type-options": "nosniff",
        },
      }),
    { params: ShareParams },
  );
}

export function shareRoutes(deps: ShareRouteDeps) {
  const app = new Elysia().use(ownerRoutes(deps.store)).use(viewerRoutes(deps));
  const built = deps.publicDir && existsSync(join(deps.publicDir, "shared.html"));
  return built && deps.publicDir ? app.use(sharedPage(deps.publicDir)) : app;
}
