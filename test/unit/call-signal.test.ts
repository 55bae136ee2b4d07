import { expect, test } from "bun:test";
import OpenAI from "openai";
import { callSignalOptions, signalOf } from "../../src/upstream/call-signal.ts";
import { createUpstreamClient } from "../../src/upstream/client.ts";

test("a call of this app's client hands its signal to the fetch, not to the client", () => {
  const client = createUpstreamClient({ baseUrl: "http://127.0.0.1:9/v1", apiKey: undefined });
  const signal = new AbortController().signal;
  const options = callSignalOptions(client, signal);
  expect(options.signal).toBeUndefined();
  // What the client passes on to its fetch: the request options' fetchOptions, spread, beside its own signal.
  const init = { ...options.fetchOptions, signal: new AbortController().signal } as RequestInit;
  expect(signalOf(init)).toBe(signal);
});

test("any other client is given the signal itself, which its fetch would never read otherwise", () => {
  const client = new OpenAI({ baseURL: "http://127.0.0.1:9/v1", apiKey: "none" });
  const signal = new AbortController().signal;
  expect(callSignalOptions(client, signal)).toEqual({ signal });
});

test("a fetch given no handed-over signal listens to the one in its init", () => {
  const signal = new AbortController().signal;
  expect(signalOf({ signal })).toBe(signal);
  expect(signalOf({})).toBeUndefined();
  expect(signalOf(undefined)).toBeUndefined();
});
