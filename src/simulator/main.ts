/**
 * The standalone simulator (`npm run simulator`): an OpenAI-compatible model server on
 * SIM_HOST:SIM_PORT, the target for load tests and for the app's UPSTREAM_BASE_URL.
 */
import { ConfigError } from "../config.ts";
import { onShutdownSignal, runtimeName, serve } from "../runtime.ts";
import { loadSimulatorServerConfig } from "../settings/simulator.ts";
import { createSimulator } from "./server.ts";

/**
 * Bun's forced stop cuts open streams at once; Deno's shutdown has no forced mode and waits for
 * every open stream to end, so the exit comes after this long at the latest. A simulator has
 * nothing to drain: its open streams are cut either way.
 */
const SHUTDOWN_TIMEOUT_MS = 300;

function loadSettings() {
  try {
    return loadSimulatorServerConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Sluice simulator: bad configuration: ${error.message}`);
    process.exit(1);
  }
}

const config = loadSettings();
const simulator = createSimulator(config.simulator);
const server = serve((request) => simulator.handle(request), { port: config.port, hostname: config.host });

console.log(`Sluice simulator settings (${runtimeName}): ${JSON.stringify(config.simulator)}`);
console.log(`Sluice simulator listening on http://${config.host}:${server.port}`);

onShutdownSignal(async (signal) => {
  console.log(`Sluice simulator: ${signal}, shutting down`);
  const timeout = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS));
  await Promise.race([server.stop(true), timeout]);
  process.exit(0);
});
