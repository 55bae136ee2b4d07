/**
 * The Vercel AI SDK's own chat client without a framework: the `ai` package's `AbstractChat`
 * (what `useChat` runs) with its `DefaultChatTransport` (what reads the UI message stream), over
 * a plain state holder. Tests and load scenarios talk to Sluice's AI SDK endpoints through it, so
 * what they check is what the SDK itself reads, parses and validates.
 */
import { AbstractChat, type ChatState, type ChatStatus, DefaultChatTransport, type UIMessage } from "ai";

/** The chat's state as plain fields (a framework would hold it in its own reactive state). */
class PlainChatState implements ChatState<UIMessage> {
  status: ChatStatus = "ready";
  error: Error | undefined = undefined;
  messages: UIMessage[] = [];
  pushMessage = (message: UIMessage) => {
    this.messages = [...this.messages, message];
  };
  popMessage = () => {
    this.messages = this.messages.slice(0, -1);
  };
  replaceMessage = (index: number, message: UIMessage) => {
    this.messages = this.messages.map((existing, at) => (at === index ? message : existing));
  };
  snapshot = <T>(thing: T): T => structuredClone(thing);
}

export interface PlainChatOptions {
  /** The chat endpoint, e.g. `http://127.0.0.1:3000/api/chat` (resume goes to `<api>/<id>/stream`). */
  api: string;
  /** The chat's id (default: one the SDK makes). */
  id?: string;
  /** A user's access token, sent as `Authorization: Bearer …`. */
  token?: string | undefined;
  /** Replaces the transport's fetch (a connection that breaks, say). */
  fetch?: typeof fetch;
  /** Extra fields of every request body (`model`). */
  body?: Record<string, unknown>;
}

/** A chat as `useChat` runs it, its state readable as fields. */
export class PlainChat extends AbstractChat<UIMessage> {
  constructor(options: PlainChatOptions) {
    const headers = options.token ? { authorization: `Bearer ${options.token}` } : undefined;
    const transport = new DefaultChatTransport<UIMessage>({
      api: options.api,
      ...(headers ? { headers } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.body ? { body: options.body } : {}),
    });
    super({ ...(options.id ? { id: options.id } : {}), transport, state: new PlainChatState() });
  }

  /** The text of the last message (the answer, once one is streaming). */
  get lastText(): string {
    return textOfMessage(this.messages.at(-1));
  }
}

/** The text parts of `message`, joined. */
export function textOfMessage(message: UIMessage | undefined): string {
  return (message?.parts ?? []).map((part) => (part.type === "text" ? part.text : "")).join("");
}

/**
 * A fetch whose POST response bodies break, as a dropped connection does, after `keepBytes`
 * bytes (wherever that falls, mid-event included); the SDK sees the network error it resumes
 * after. Counted in bytes, not reads: a busy client reads many events at once.
 */
export function breakingFetch(keepBytes: number): typeof fetch {
  const breaking = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await fetch(input, init);
    if (init?.method !== "POST" || !response.body) return response;
    const reader = response.body.getReader();
    let left = keepBytes;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        controller.enqueue(value.subarray(0, left));
        left -= value.byteLength;
        if (left > 0) return;
        await reader.cancel();
        controller.error(new TypeError("network error: the connection was lost"));
      },
      cancel: () => reader.cancel(),
    });
    return new Response(body, response);
  };
  return breaking as typeof fetch;
}
