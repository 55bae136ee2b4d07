/**
 * The app with a standalone simulator as its upstream, both on free ports: the simulator's
 * counters then show exactly what reached the model.
 */
import { type Started, startApp, startSimulator } from "./spawn.ts";

export interface Topology {
  app: Started;
  simulator: Started;
  stop(): Promise<void>;
}

/** Starts a simulator, then the app pointed at it; `env` applies to both. */
export async function startTopology(env: Record<string, string> = {}): Promise<Topology> {
  const simulator = await startSimulator({ SIM_TTFT_MS: "20", SIM_TOKENS_PER_SECOND: "200", ...env });
  const app = await startApp({ UPSTREAM_BASE_URL: `${simulator.url}/v1`, MODEL: "demo", ...env }).catch(
    async (error) => {
      await simulator.stop();
      throw error;
    },
  );
  return {
    app,
    simulator,
    async stop() {
      await Promise.all([app.stop(), simulator.stop()]);
    },
  };
}
