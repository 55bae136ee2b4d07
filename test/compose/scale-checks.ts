/**
 * The scale profile's own checks (deploy/env/scale.env, `--scale app=2`): every request goes
 * through nginx, whose access log says which replica answered it (nginx-log.ts), and the checks
 * hold only when both replicas did their share: streams, resumption, conversations.
 */
import { expect, test } from "bun:test";
import { paced } from "../../harness/client/sim-prompt.ts";
import type { ReceivedEvent } from "../../harness/client/stream.ts";
import { callSluice, readEvents, sluiceRequest, startStream } from "./client.ts";
import { modelStats, waitForModel } from "./model-stats.ts";
import { answeredBy, requestIdHeader } from "./nginx-log.ts";
import type { ComposeProject } from "./project.ts";

const tokens = (events: ReceivedEvent[]) => events.filter((event) => event.event === "token");
const ids = (events: ReceivedEvent[]) => events.map((event) => Number(event.id));
const newId = () => `scale-${crypto.randomUUID()}`;

/** A stream read from after `lastEventId` to its end, or until `stopAfter` new tokens; its request id. */
async function resume(path: string, lastEventId: string | undefined, stopAfter = Number.POSITIVE_INFINITY) {
  const requestId = newId();
  const read = await readEvents(path, {
    ...(lastEventId ? { lastEventId } : {}),
    headers: requestIdHeader(requestId),
    closeWhen: (_, events) => tokens(events).length >= stopAfter,
  });
  expect(read.status, `${requestId} after ${lastEventId}: ${read.error}`).toBe(200);
  return { requestId, events: read.events };
}

/** Registers the checks; `project` is up with two app replicas. */
export function scaleChecks(project: ComposeProject): void {
  test("concurrent streams through nginx complete, on both replicas", async () => {
    // Three at once (the default per-user limit): with least_conn, an nginx worker that takes two
    // of them sends them to different replicas, and two workers cannot take three without that.
    const requestIds = [newId(), newId(), newId()];
    const path = `/chat?q=${encodeURIComponent(paced(20, 20))}`;
    const streams = await Promise.all(
      requestIds.map((id) => readEvents(path, { headers: requestIdHeader(id), timeoutMs: 30_000 })),
    );
    for (const stream of streams) {
      expect(stream.status).toBe(200);
      expect(stream.ended).toBe("eof");
      expect(stream.events.filter((event) => event.data !== "[DONE]" && event.event === undefined)).toHaveLength(20);
    }
    const replicas = (await project.addresses("app")).sort();
    expect(replicas).toHaveLength(2);
    expect([...new Set(await answeredBy(project, requestIds))].sort()).toEqual(replicas);
  }, 60_000);

  test("a stream read again and again with Last-Event-ID has no gap and no repeat, whichever replica answers", async () => {
    const before = await modelStats(project);
    const streamUrl = await startStream(paced(60, 20));
    // While the answer runs: a few tokens at a time, each read resuming where the last one stopped,
    // at once, as a browser reconnects: the next replica may have heard less of the answer than the
    // client has, and must not turn the client away for it (EventSource gives up on a 4xx).
    const pieces: Awaited<ReturnType<typeof resume>>[] = [];
    for (let last: string | undefined; !pieces.at(-1)?.events.some((event) => event.event === "done"); ) {
      const piece = await resume(streamUrl, last, 4);
      pieces.push(piece);
      last = piece.events.at(-1)?.id ?? last;
      expect(pieces.length).toBeLessThan(60);
    }
    const whole = (await resume(streamUrl, undefined)).events;
    const joined = pieces.flatMap((piece) => piece.events);
    expect(ids(joined)).toEqual(ids(whole));
    expect(tokens(whole)).toHaveLength(60);
    expect(tokens(joined).map((event) => event.data)).toEqual(tokens(whole).map((event) => event.data));
    // Once it has ended: from any point, the rest, exactly.
    for (const from of [5, 17, 33, 48, 59, 1]) {
      const rest = await resume(streamUrl, String(from));
      pieces.push(rest);
      expect(ids(rest.events)).toEqual(ids(whole).filter((id) => id > from));
    }
    const answered = new Set(
      await answeredBy(
        project,
        pieces.map((piece) => piece.requestId),
      ),
    );
    expect(answered.size).toBe(2);
    // One model call, however many reads.
    expect((await modelStats(project)).started).toBe(before.started + 1);
  }, 90_000);

  test("Stop sent to the replica that is not streaming the answer cancels the model's call", async () => {
    // nginx picks the replica per request, so a Stop lands on the other one only some of the
    // time: each try is checked whole, and one of a few must have crossed over.
    for (let attempt = 1; ; attempt++) {
      const before = await modelStats(project);
      const path = await startStream(paced(200, 10));
      const [streamId, stopId] = [newId(), newId()];
      let stopped: Promise<Response> | undefined;
      const stream = await readEvents(path, {
        headers: requestIdHeader(streamId),
        onEvent: (event) => {
          if (event.event === "token" && event.id === "3")
            stopped = sluiceRequest(path, { method: "DELETE", headers: requestIdHeader(stopId) });
        },
      });
      expect((await stopped)?.ok).toBe(true);
      const done = stream.events.find((event) => event.event === "done");
      expect(JSON.parse(done?.data ?? "{}").finish_reason).toBe("cancelled");
      expect(tokens(stream.events).length).toBeLessThan(50);
      await waitForModel(project, "a cancelled call", (stats) => stats.cancelled > before.cancelled);
      const [streamedBy, stoppedBy] = await answeredBy(project, [streamId, stopId]);
      if (streamedBy !== stoppedBy) return;
      expect(attempt, "every Stop reached the replica that streamed").toBeLessThan(4);
    }
  }, 90_000);

  test("a conversation created through one replica is read back through both, from PostgreSQL", async () => {
    const title = `shared by the replicas ${crypto.randomUUID()}`;
    const created = await callSluice("POST", "/api/conversations", { title });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const requestIds = Array.from({ length: 6 }, newId);
    for (const requestId of requestIds) {
      const read = await callSluice("GET", `/api/conversations/${id}`, undefined, requestIdHeader(requestId));
      expect(read.status).toBe(200);
      expect(read.json.title).toBe(title);
    }
    expect(new Set(await answeredBy(project, requestIds)).size).toBe(2);
    // In the database, not in a file of the shared data volume.
    const query = `SELECT title FROM conversations WHERE id = '${id}'`;
    const stored = await project.exec("postgres", [
      "sh",
      "-c",
      `psql --username="$POSTGRES_USER" --dbname="$POSTGRES_DB" --tuples-only --no-align --command="${query}"`,
    ]);
    expect(stored.trim()).toBe(title);
  }, 60_000);
}
