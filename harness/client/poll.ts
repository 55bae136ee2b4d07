/**
 * The one bounded wait: read something again and again until it says what is awaited or the
 * time runs out. A test never waits without a bound, and never sleeps a fixed time hoping.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads until `done(value)` or `timeoutMs`, every `intervalMs`; resolves with the last value read. */
export async function pollUntil<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 25,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || performance.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}

/** Whether `check` came true within `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<boolean> {
  return pollUntil(check, (value) => value, timeoutMs);
}

/**
 * The first value `read` returns that `ready` accepts, read every `intervalMs`.
 * @throws {Error} naming `what`, and the last value read, after `timeoutMs`.
 */
export async function waitUntil<T>(
  what: string,
  read: () => Promise<T> | T,
  ready: (value: T) => boolean,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const value = await pollUntil(read, ready, timeoutMs, intervalMs);
  if (!ready(value)) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(value)}`);
  return value;
}

/**
 * The first value `probe` returns other than undefined, asked every `intervalMs`.
 * @throws {Error} naming `what` after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  return (await waitUntil(what, probe, (found) => found !== undefined, timeoutMs, intervalMs)) as T;
}
