/**
 * `GET /chat?q=…`: the one-shot stream for the classic three-line browser client
 * (`es.onmessage` appends `e.data`; `done` closes). A reconnect carries `Last-Event-ID`, which
 * names the generation, so it resumes that one and never starts a second model call.
 */
import { Elysia } from "elysia";
import { ValidationError } from "../errors.ts";
import type { Generation } from "../generation/generation.ts";
import type { GenerationRegistry } from "../generation/registry.ts";
import { classicDialect } from "../sse/dialects.ts";
import type { ChatRequest } from "../upstream/chat-stream.ts";
import type { OpenEventStream } from "./event-stream.ts";
import { generationNamedBy, lastEventIdOf, resumePoint } from "./resume-point.ts";
import { ClassicQuery } from "./schemas.ts";

export interface ClassicRouteDeps {
  registry: GenerationRegistry;
  startGeneration: (request: ChatRequest) => Generation;
  openEventStream: OpenEventStream;
  defaultModel: string;
  /** Throws when no event-stream slot is free, so a refused viewer starts no model call. */
  admitStream?: () => void;
}

export function classicRoutes(deps: ClassicRouteDeps) {
  const { registry, startGeneration, openEventStream, defaultModel } = deps;
  return new Elysia({ name: "classic" }).get(
    "/chat",
    ({ query, request }) => {
      const lastEventId = lastEventIdOf(request, query);
      if (lastEventId !== undefined) {
        const generation = registry.get(generationNamedBy(lastEventId) ?? "");
        // Gone (expired or another instance): 204 tells EventSource to stop reconnecting.
        if (!generation) return new Response(null, { status: 204 });
        const dialect = classicDialect(generation.id);
        const after = resumePoint(lastEventId, dialect, generation);
        return openEventStream(generation, { after, dialect, signal: request.signal });
      }
      const question = query.q?.trim();
      if (!question) throw new ValidationError("q", "must be a non-empty question");
      deps.admitStream?.();
      const generation = startGeneration({ model: defaultModel, messages: [{ role: "user", content: question }] });
      return openEventStream(generation, { after: 0, dialect: classicDialect(generation.id), signal: request.signal });
    },
    { query: ClassicQuery },
  );
}
