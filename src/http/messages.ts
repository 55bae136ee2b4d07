/**
 * A conversation's messages one by one: `GET …/messages/:messageId` serves one whole (a read that
 * cut a long one to its `max_bytes` marks it with `full_bytes`), and `DELETE` removes it with
 * every message under it (a branch). A message id that is not the conversation's, another user's
 * included, is a 404, as a conversation of another user is.
 */
import { Elysia } from "elysia";
import type { ConversationStore } from "../conversations/store.ts";
import { MessageNotFoundError } from "../conversations/store.ts";
import { NotFoundError } from "../errors.ts";
import { noContent } from "./conversations.ts";
import { userOf } from "./requester.ts";
import { MessageParams } from "./schemas.ts";

/** The `/api/conversations/:id/messages/:messageId` routes over `store`. */
export function messageRoutes(store: ConversationStore) {
  return new Elysia()
    .get(
      "/api/conversations/:id/messages/:messageId",
      async ({ params, request }) => {
        const [message] = await store.messages(userOf(request), params.id, [params.messageId]);
        if (!message) throw new MessageNotFoundError(params.messageId);
        return message;
      },
      { params: MessageParams },
    )
    .delete(
      "/api/conversations/:id/messages/:messageId",
      async ({ params, request }) => {
        if (!(await store.deleteBranch(userOf(request), params.id, params.messageId)))
          throw new NotFoundError(`conversation ${params.id}`);
        return noContent();
      },
      { params: MessageParams },
    );
}
