/**
 * Bun's fetch runs at most 256 requests at once unless BUN_CONFIG_MAX_HTTP_REQUESTS is set before
 * the process starts (it cannot be raised from inside). The app's upstream calls and every load
 * generator's streams are fetches, so each process that opens many gets this one value.
 */

export const FETCH_CAP_VARIABLE = "BUN_CONFIG_MAX_HTTP_REQUESTS";

/**
 * The one value: the same as `npm start` and the Docker image, so a bench measures the app as it
 * ships, and twice the largest bench step (8,000 streams), so the cap is never what is measured.
 */
export const FETCH_CAP = "16384";

/** `env` with the cap added, unless `env` already sets it (a caller's own value wins). */
export function withFetchCap(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return { [FETCH_CAP_VARIABLE]: FETCH_CAP, ...env };
}

/**
 * For a process that opens many streams: when the cap is not set yet, runs this same script again
 * with it (signals forwarded) and resolves with the child's exit code; resolves undefined when
 * the cap is already in effect and the caller should go on.
 */
export async function relaunchWithFetchCap(): Promise<number | undefined> {
  if (process.env[FETCH_CAP_VARIABLE]) return undefined;
  const child = Bun.spawn([process.execPath, ...process.argv.slice(1)], {
    env: withFetchCap(process.env),
    stdio: ["inherit", "inherit", "inherit"],
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  return child.exited;
}
