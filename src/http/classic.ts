/**
 * `GET /chat?q=…`: the one-shot stream for the classic three-line browser client
 * (`es.onmessage` appends `e.data`; `done` closes). A reconnect carries `Last-Event-ID`, which
 * names the generation, so it resumes that one and never starts a second model call.
 */
import { Elysia } from "elysia";
import { ValidationError } from "../errors.ts";
import type { Services } from "../services.ts";
import { classicGenerationId, classicView } from "../sse/views.ts";
import { eventStreamResponse, resumePoint } from "./event-stream.ts";
import { ClassicQuery } from "./models.ts";

export function classicRoutes(services: Services) {
  return new Elysia({ name: "classic" }).get(
    "/chat",
    ({ query, request }) => {
      const lastEventId = request.headers.get("last-event-id") ?? query.lastEventId;
      if (lastEventId) {
        const generation = services.registry.get(classicGenerationId(lastEventId) ?? "");
        // Gone (expired or another instance): 204 tells EventSource to stop reconnecting.
        if (!generation) return new Response(null, { status: 204 });
        const view = classicView(generation.id);
        const after = resumePoint(lastEventId, view, generation);
        return eventStreamResponse(services, generation, { after, view, signal: request.signal });
      }
      const question = query.q?.trim();
      if (!question) throw new ValidationError("q", "must be a non-empty question");
      const generation = services.startGeneration({
        model: services.config.model,
        messages: [{ role: "user", content: question }],
      });
      return eventStreamResponse(services, generation, {
        after: 0,
        view: classicView(generation.id),
        signal: request.signal,
      });
    },
    { query: ClassicQuery },
  );
}
