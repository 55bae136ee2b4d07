/**
 * `GET /api/streams/:id` watches a generation (replaying from `Last-Event-ID`);
 * `DELETE /api/streams/:id` is Stop.
 */
import { Elysia } from "elysia";
import { NotFoundError } from "../errors.ts";
import type { GenerationDirectory } from "../generation/view.ts";
import { apiDialect } from "../sse/dialects.ts";
import type { OpenEventStream } from "./event-stream.ts";
import { requesterOf, userOf } from "./requester.ts";
import { lastEventIdOf, resumePoint } from "./resume-point.ts";
import { StreamParams, StreamQuery } from "./schemas.ts";
import { stopGeneration } from "./stop.ts";

export interface StreamRouteDeps {
  generations: GenerationDirectory;
  openEventStream: OpenEventStream;
}

export function streamRoutes({ generations, openEventStream }: StreamRouteDeps) {
  // Another user's stream is answered exactly like one that never existed.
  const find = async (id: string, request: Request) => {
    const generation = await generations.find(id, userOf(request));
    if (!generation) throw new NotFoundError("stream");
    return generation;
  };
  return new Elysia({ name: "streams" })
    .get(
      "/api/streams/:id",
      async ({ params, query, request }) => {
        const generation = await find(params.id, request);
        const after = await resumePoint(lastEventIdOf(request, query), apiDialect, generation);
        const { limitKey } = requesterOf(request);
        return openEventStream(generation, { after, dialect: apiDialect, signal: request.signal, limitKey });
      },
      { params: StreamParams, query: StreamQuery },
    )
    .delete(
      "/api/streams/:id",
      async ({ params, request }) => {
        const generation = await find(params.id, request);
        const end = (await stopGeneration(generation))?.end;
        return {
          streamId: generation.id,
          status: end?.type === "error" ? "error" : end ? "ended" : "stopping",
          finish_reason: end?.type === "done" ? end.finish_reason : null,
        };
      },
      { params: StreamParams },
    );
}
