/**
 * `GET /api/conversations/:id/images/:imageId`: an image sent with a question, for the page to
 * show. Served by URL from this origin, so the page's CSP needs no `blob:` for them; typed by
 * the bytes' own signature (checked when it was sent) and marked `nosniff`, so a browser never
 * reads it as anything else. Another user's image is, as their conversation is, a 404.
 */
import { Elysia, t } from "elysia";
import type { ConversationStore } from "../conversations/store.ts";
import { NotFoundError } from "../errors.ts";
import { userOf } from "./requester.ts";

const Id = (what: string) => t.String({ pattern: "^[A-Za-z0-9_-]{1,64}$", error: `must be ${what} id` });

export const ImageParams = t.Object({ id: Id("a conversation"), imageId: Id("an image") });

/** The image route over `store`, for the signed-in user's conversations only. */
export function imageRoutes(store: ConversationStore) {
  return new Elysia().get(
    "/api/conversations/:id/images/:imageId",
    async ({ params, request }) => {
      const image = await store.getImage(userOf(request), params.id, params.imageId);
      if (!image) throw new NotFoundError("image");
      return new Response(new Uint8Array(image.data), {
        headers: {
          "content-type": image.media_type,
          "x-content-type-options": "nosniff",
          // An image never changes under its id; private: it is one user's.
          "cache-control": "private, max-age=86400, immutable",
        },
      });
    },
    { params: ImageParams },
  );
}
