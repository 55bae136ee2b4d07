/**
 * `GET /api/streams/:id` watches a generation (replaying from `Last-Event-ID`);
 * `DELETE /api/streams/:id` is Stop.
 */
import { Elysia } from "elysia";
import { NotFoundError } from "../errors.ts";
import type { Services } from "../services.ts";
import { apiView } from "../sse/views.ts";
import { eventStreamResponse, resumePoint } from "./event-stream.ts";
import { StreamParams, StreamQuery } from "./models.ts";

// Stop answers once the generation has recorded its end, which an abort makes immediate.
const STOP_WAIT_MS = 5_000;

export function streamRoutes(services: Services) {
  const find = (id: string) => {
    const generation = services.registry.get(id);
    if (!generation) throw new NotFoundError("stream");
    return generation;
  };
  return new Elysia({ name: "streams" })
    .get(
      "/api/streams/:id",
      ({ params, query, request }) => {
        const generation = find(params.id);
        const after = resumePoint(request.headers.get("last-event-id") ?? query.lastEventId, apiView, generation);
        return eventStreamResponse(services, generation, { after, view: apiView, signal: request.signal });
      },
      { params: StreamParams, query: StreamQuery },
    )
    .delete(
      "/api/streams/:id",
      async ({ params }) => {
        const generation = find(params.id);
        generation.cancel("stop");
        const timeout = new Promise<undefined>((resolve) => setTimeout(resolve, STOP_WAIT_MS));
        const outcome = await Promise.race([generation.settled, timeout]);
        const end = outcome?.end;
        return {
          streamId: generation.id,
          status: end?.type === "error" ? "error" : end ? "ended" : "stopping",
          finish_reason: end?.type === "done" ? end.finish_reason : null,
        };
      },
      { params: StreamParams },
    );
}
