/**
 * One streamed answer over any of the wire formats Sluice speaks to API clients: POST a JSON
 * body, then read the event stream to its end event, timing every event that carries answer text.
 * What an event means is the protocol's (openai-stream.ts, dialect-streams.ts); the reading, the
 * timing and the failures are written once, here.
 */
import type { EventSourceMessage } from "eventsource-parser";
import { expectStatus } from "../../harness/client/api.ts";
import { readEvents } from "../../harness/client/sse-reader.ts";
import { LoadError } from "./errors.ts";
import { trackOpenStream } from "./stream-metrics.ts";

export interface TokenReading {
  headersAt: number;
  /** performance.now() of each event that carried answer text. */
  tokenTimes: number[];
  text: string;
  /** The output tokens the answer reported at its end (undefined if it reports none). */
  completionTokens: number | undefined;
}

/** What one event of a protocol says: answer text, the reported token count, the end, or a failure. */
export interface EventMeaning {
  text?: string | undefined;
  completionTokens?: number | undefined;
  end?: boolean;
  failure?: LoadError;
}

/** A protocol's reading of its events. */
export type ReadEvent = (event: EventSourceMessage) => EventMeaning | undefined;

/** POSTs `body` to `url` and reads the stream to its end; throws a LoadError on HTTP errors, failures, or a cut. */
export async function streamTokens(url: string, body: unknown, signal: AbortSignal, read: ReadEvent) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify(body),
    signal,
  });
  const reading: TokenReading = { headersAt: performance.now(), tokenTimes: [], text: "", completionTokens: undefined };
  await expectStatus(response, 200, `POST ${new URL(url).pathname}`);
  if (!response.body) throw new LoadError("bad_response", "stream response without a body");
  let ended = false;
  let failure: LoadError | undefined;
  const closed = trackOpenStream();
  try {
    await readEvents(response.body, {
      onEvent(event) {
        const meaning = read(event);
        if (meaning?.text) {
          reading.tokenTimes.push(event.at);
          reading.text += meaning.text;
        }
        if (meaning?.completionTokens !== undefined) reading.completionTokens = meaning.completionTokens;
        failure = meaning?.failure;
        ended = meaning?.end === true;
        return failure || ended ? false : undefined;
      },
    });
  } finally {
    closed();
  }
  if (failure) throw failure;
  if (!ended) throw new LoadError("incomplete", `no end after ${reading.tokenTimes.length} tokens`);
  return reading;
}
