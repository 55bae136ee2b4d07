/**
 * A model call's signal, handed to this app's own fetch beside the `openai` client rather than
 * through it. Given to the client as `signal`, it would keep the client's abort listener, and
 * with it the client's controller and that controller's signal, for as long as the answer streams
 * (the client never takes its listener off). Handed over here, the fetch listens to the call's
 * signal alone, and the client's controller is let go at the response's head.
 *
 * Only clients made by client.ts read it, so only their calls hand it over ({@link callSignalOptions}).
 */
import type OpenAI from "openai";

const CALL_SIGNAL = Symbol("sluice.callSignal");

type WithCallSignal = { [CALL_SIGNAL]?: AbortSignal };

/** The `openai` client's options of one request. */
type CallRequestOptions = NonNullable<Parameters<OpenAI["chat"]["completions"]["create"]>[1]>;

const readers = new WeakSet<OpenAI>();

/** Marks `client` as one whose fetch reads the handed-over signal ({@link signalOf}). */
export function readsCallSignal(client: OpenAI): OpenAI {
  readers.add(client);
  return client;
}

/** The request options that give `signal` to a call of `client`: handed over when its fetch reads it, else the client's own option. */
export function callSignalOptions(client: OpenAI, signal: AbortSignal): CallRequestOptions {
  if (!readers.has(client)) return { signal };
  return { fetchOptions: { [CALL_SIGNAL]: signal } as WithCallSignal as CallRequestOptions["fetchOptions"] };
}

/** What a fetch of a client made by client.ts listens to: the handed-over signal, else the one given. */
export function signalOf(init: RequestInit | undefined): AbortSignal | undefined {
  return (init as WithCallSignal | undefined)?.[CALL_SIGNAL] ?? init?.signal ?? undefined;
}
