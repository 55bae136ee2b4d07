/**
 * `POST /api/chat` starts a generation at once and answers where to watch it.
 */
import { Elysia } from "elysia";
import type { Services } from "../services.ts";
import { ChatBody } from "./models.ts";

export function chatRoutes(services: Services) {
  return new Elysia({ name: "chat" }).post(
    "/api/chat",
    ({ body, set }) => {
      const generation = services.startGeneration({
        model: body.model ?? services.config.model,
        messages: body.messages,
        max_tokens: body.max_tokens,
        temperature: body.temperature,
      });
      set.status = 202;
      return { streamId: generation.id, streamUrl: `/api/streams/${generation.id}` };
    },
    { body: ChatBody },
  );
}
