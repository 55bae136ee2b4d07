/**
 * The native stack (harness/stack) as the load tools use it: the simulator, the app
 * and nginx on free ports, plus the pids whose CPU and memory the bench measures.
 */
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import type { WatchedProcesses } from "./run-scenario.ts";

export interface LoadStack {
  stack: Stack;
  /** Through nginx: the URL the scenarios load. */
  sluiceUrl: string;
  /** The app directly. */
  appUrl: string;
  /** The app's internal listener (its /metrics). */
  metricsUrl: string;
  /** The standalone simulator (its /v1/chat/completions and /sim/stats). */
  simUrl: string;
  pids: WatchedProcesses;
}

/** Starts the stack with `env` for the app and the simulator (the app gets the stack's fetch cap). */
export async function startLoadStack(env: Record<string, string> = {}): Promise<LoadStack> {
  const stack = await startStack({ env });
  if (!stack.simulatorUrl) {
    await stack.stop();
    throw new Error("the load tests need the standalone simulator: unset UPSTREAM_BASE_URL");
  }
  return {
    stack,
    sluiceUrl: stack.url,
    appUrl: stack.appUrl,
    metricsUrl: stack.metricsUrl,
    simUrl: stack.simulatorUrl,
    pids: {
      app: stack.appPid,
      nginxMaster: stack.nginxPid,
      simulator: stack.simulatorPid ?? 0,
    },
  };
}

/** The settings that point a scenario at `loadStack` (its URL, the simulator's, the app's metrics), over `env`. */
export function scenarioEnv(loadStack: LoadStack, env: Record<string, string> = {}): Record<string, string> {
  return {
    SLUICE_URL: loadStack.sluiceUrl,
    SIM_URL: loadStack.simUrl,
    METRICS_URL: `${loadStack.metricsUrl}/metrics`,
    ...env,
  };
}
