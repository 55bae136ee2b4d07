/**
 * Watches one generation's event stream with the browser's EventSource. Resuming after a drop is
 * the browser's job: it reconnects by itself and sends Last-Event-ID, and the server replays only
 * what came after (WHATWG HTML §9.2, server-sent events), so nothing here counts or re-requests.
 */
import type { DoneEvent, ErrorEvent, StepEvent } from "../src/contract.ts";

export type DoneData = Omit<DoneEvent, "id" | "type">;
export type StreamErrorData = Omit<ErrorEvent, "id" | "type">;

/** connecting: first request in flight; open: receiving; reconnecting: the browser is retrying after a drop. */
export type StreamState = "connecting" | "open" | "reconnecting";

export interface StreamHandlers {
  token(text: string): void;
  /** A tool call's event: its start, a piece of its arguments, its result. */
  step?(event: StepEvent): void;
  done(data: DoneData): void;
  /** The generation failed: the server's typed error (never followed by done). */
  failed(error: StreamErrorData): void;
  state(state: StreamState): void;
  /** The browser gave up: the server refused the stream (404: expired or unknown). */
  lost(): void;
}

export interface StreamWatch {
  close(): void;
}

function parse<T>(data: string): T | undefined {
  try {
    return JSON.parse(data) as T;
  } catch {
    return undefined;
  }
}

/** Opens `url` and reports its events until done, error, loss or {@link StreamWatch.close}. */
export function watchStream(url: string, on: StreamHandlers): StreamWatch {
  const source = new EventSource(url);
  let closed = false;
  const close = () => {
    closed = true;
    source.close();
  };
  on.state("connecting");
  source.addEventListener("open", () => on.state("open"));
  source.addEventListener("token", (event) => on.token((event as MessageEvent<string>).data));
  for (const type of ["tool_call", "tool_arguments", "tool_result"] as const) {
    source.addEventListener(type, (event) => {
      const data = parse<Omit<StepEvent, "id" | "type">>((event as MessageEvent<string>).data);
      if (data) on.step?.({ ...data, id: Number((event as MessageEvent<string>).lastEventId), type } as StepEvent);
    });
  }
  source.addEventListener("done", (event) => {
    close();
    on.done(parse<DoneData>((event as MessageEvent<string>).data) ?? fallbackDone);
  });
  // One listener hears two things: the server's `event: error` (a MessageEvent with data) and the
  // EventSource's own connection error (a plain Event).
  source.addEventListener("error", (event) => {
    if (closed) return;
    if (event instanceof MessageEvent) {
      close();
      on.failed(
        parse<StreamErrorData>(event.data) ?? { code: "bad_event", message: "unreadable error", retryable: true },
      );
    } else if (source.readyState === EventSource.CONNECTING) {
      on.state("reconnecting");
    } else {
      // CLOSED: the reply was not a 200 event stream (HTML §9.2.3 "fail the connection").
      close();
      on.lost();
    }
  });
  return { close };
}

const fallbackDone: DoneData = {
  finish_reason: "stop",
  usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  timings: { ttft_ms: null, total_ms: 0 },
};
