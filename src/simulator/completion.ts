/**
 * A non-streamed answer (`stream: false`): the same script and timetable as a stream, so the
 * response arrives when the last token would have, as one `chat.completion` object.
 */
import { chatCompletion, completionId, usageOf } from "./chunks.ts";
import { DROP_FLUSH_MS } from "./faults.ts";
import { createPacing } from "./pacing.ts";
import type { Script } from "./script.ts";
import type { RequestTracker } from "./tracker.ts";

/** Waits until `at` (performance.now() time); false when the client went away first. */
function waitUntil(at: number, tracker: RequestTracker): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(!tracker.ended), Math.max(0, at - performance.now()));
    tracker.whenGone(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/** A body that sends the start of a JSON object, then has the connection cut. */
function cutBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"id":"'));
      // As in stream.ts: an errored body resets the connection; a string keeps the log to one line.
      const cut = () => controller.error("Sluice simulator: fault drop cut the connection on purpose");
      setTimeout(cut, DROP_FLUSH_MS);
    },
  });
}

/** The JSON response for `script`, or a faulty one; `tracker` learns how it ends. */
export async function completionResponse(
  script: Script,
  tracker: RequestTracker,
  sendsUsage = true,
): Promise<Response> {
  const pacing = createPacing(script, performance.now());
  const breaks = pacing.breakAfter >= 0;
  if (!(await waitUntil(breaks ? pacing.breakAt : pacing.dueAt(script.tokenCount), tracker))) {
    // Nobody reads this: the client is gone.
    return new Response(null, { status: 499 });
  }
  const headers = { "x-request-id": script.requestId };
  if (script.fault?.kind === "drop") {
    tracker.finish("failed");
    return new Response(cutBody(), { headers: { ...headers, "content-type": "application/json" } });
  }
  if (script.fault?.kind === "malformed") {
    tracker.finish("failed");
    return new Response("{not json", { headers: { ...headers, "content-type": "application/json" } });
  }
  let content = "";
  for (let i = 0; i < script.tokenCount; i++) content += script.nextToken();
  tracker.finish("completed");
  const usage = sendsUsage ? usageOf(script.promptTokens, script.tokenCount) : undefined;
  const created = Math.floor(Date.now() / 1000);
  const { model, finishReason, toolCalls } = script;
  return Response.json(chatCompletion(completionId(), created, model, content, finishReason, usage, toolCalls), {
    headers,
  });
}
