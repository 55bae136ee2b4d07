/**
 * The app as the attacker suite meets it: access control on (two users), its data in a folder
 * beside `public/` so that a traversal has something real to reach, on the runtime under test.
 */
import { mkdirSync, rmSync } from "node:fs";
import { callJson } from "../../harness/client/api.ts";
import type { Runtime } from "../../harness/stack/process.ts";
import { runtime, type Started, startProcess } from "../../harness/stack/spawn.ts";

export const ALICE = "alice-secret-token-0001";
export const BOB = "bob-secret-token-000002";

const root = new URL("../../", import.meta.url).pathname;

export interface TargetApp extends Started {
  /** DATA_DIR, relative to the repository root. */
  dataDir: string;
}

/** Starts the app; `defencesOff` starts it through the negative-control entry instead. */
export async function startTarget(
  env: Record<string, string> = {},
  options: { defencesOff?: string[]; runtime?: Runtime } = {},
): Promise<TargetApp> {
  const dataDir = `.test-data/${crypto.randomUUID()}`;
  mkdirSync(`${root}${dataDir}`, { recursive: true });
  const off = options.defencesOff ?? [];
  const entry = off.length > 0 ? "test/security/unguarded-server.ts" : "src/main.ts";
  const started = startProcess(
    entry,
    {
      PORT: "0",
      METRICS_PORT: "0",
      HOST: "127.0.0.1",
      AUTH: "token",
      AUTH_TOKENS: `alice:${ALICE},bob:${BOB}`,
      DATA_DIR: dataDir,
      LIMIT_USER_CONCURRENT: "1000",
      LIMIT_USER_PER_MINUTE: "100000",
      SIM_TTFT_MS: "10",
      SIM_TOKENS_PER_SECOND: "200",
      SLUICE_DEFENCES_OFF: off.join(","),
      ...env,
    },
    options.runtime ?? runtime,
  );
  const app = await started.catch((error) => {
    rmSync(`${root}${dataDir}`, { recursive: true, force: true });
    throw error;
  });
  return {
    ...app,
    dataDir,
    async stop() {
      await app.stop();
      rmSync(`${root}${dataDir}`, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** JSON over fetch as `token`'s user. */
export function call(app: Started, token: string, method: string, path: string, body?: unknown) {
  return callJson(app.url, method, path, body, { token, timeoutMs: 10_000 });
}
