/**
 * `GET /chat?q=…`: the one-shot stream for the classic three-line browser client
 * (`es.onmessage` appends `e.data`; `done` closes). A reconnect carries `Last-Event-ID`, which
 * names the generation, so it resumes that one and never starts a second model call.
 */
import { Elysia } from "elysia";
import { ValidationError } from "../errors.ts";
import type { GenerationDirectory } from "../generation/view.ts";
import { classicDialect } from "../sse/dialects.ts";
import type { StartGeneration } from "./chat.ts";
import type { OpenEventStream } from "./event-stream.ts";
import { chooseModel, type ModelPolicy, outputTokens } from "./model-policy.ts";
import { callerOf } from "./requester.ts";
import { generationNamedBy, lastEventIdOf, resumePoint } from "./resume-point.ts";
import { ClassicQuery } from "./schemas.ts";

export interface ClassicRouteDeps {
  generations: GenerationDirectory;
  startGeneration: StartGeneration;
  openEventStream: OpenEventStream;
  policy: ModelPolicy;
  /** Throws when no event-stream slot is free (for anyone, or for this user), so a refused viewer starts no model call. */
  admitStream?: (limitKey: string) => Promise<void>;
}

export function classicRoutes(deps: ClassicRouteDeps) {
  const { generations, startGeneration, openEventStream, policy } = deps;
  return new Elysia({ name: "classic" }).get(
    "/chat",
    async ({ query, request }) => {
      const caller = callerOf(request);
      const lastEventId = lastEventIdOf(request, query);
      if (lastEventId !== undefined) {
        const generation = await generations.find(generationNamedBy(lastEventId) ?? "", caller.user);
        // Gone (expired, or another user's): 204 tells EventSource to stop reconnecting.
        if (!generation) return new Response(null, { status: 204 });
        const dialect = classicDialect(generation.id);
        const after = await resumePoint(lastEventId, dialect, generation);
        return openEventStream(generation, { after, dialect, signal: request.signal, limitKey: caller.limitKey });
      }
      const question = query.q?.trim();
      if (!question) throw new ValidationError("q", "must be a non-empty question");
      await deps.admitStream?.(caller.limitKey);
      const messages = [{ role: "user" as const, content: question }];
      const generation = await startGeneration(
        { model: chooseModel(policy, undefined), messages, max_tokens: outputTokens(policy, undefined) },
        caller,
      );
      const dialect = classicDialect(generation.id);
      return openEventStream(generation, { after: 0, dialect, signal: request.signal, limitKey: caller.limitKey });
    },
    { query: ClassicQuery },
  );
}
