/**
 * Sluice: configuration → services → app → serve, and a graceful drain on SIGINT/SIGTERM.
 */
import { createHandler } from "./app.ts";
import { ConfigError, describeConfig, loadConfig } from "./config.ts";
import { openWorkerStore } from "./conversations/worker-store.ts";
import { onShutdownSignal, runtimeName, serve } from "./runtime.ts";
import { createServices } from "./services.ts";
import { createSimulator } from "./simulator/server.ts";

async function start(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Sluice cannot start: ${error.message}`);
    process.exit(1);
  }
  const simulator = config.upstreamBaseUrl ? undefined : createSimulator(config.simulator);
  // The store runs in a worker: no synchronous database call on the thread that relays tokens.
  const conversations = await openWorkerStore(config.dataDir, { maxBytes: config.storeMaxBytes });
  if (conversations.recovered > 0)
    console.log(`${conversations.recovered} answer(s) cut off by the last shutdown are marked interrupted`);
  const services = createServices(config, { simulator, conversations });
  const handler = createHandler(services, { publicDir: "public" });
  const server = serve(handler, { port: config.port, hostname: config.host });
  const shown = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  console.log(JSON.stringify({ level: "info", msg: "settings", runtime: runtimeName, ...describeConfig(config) }));
  if (simulator)
    console.log("Model: the built-in simulator (demo). Set UPSTREAM_BASE_URL and MODEL to use a real one.");
  console.log(`Sluice listening on http://${shown}:${server.port}`);

  onShutdownSignal(
    async (signal) => {
      console.log(`${signal}: draining (up to ${config.drainTimeoutMs} ms)`);
      await services.registry.drain(config.drainTimeoutMs);
      // Answers cut by the drain are stored as interrupted before the store closes.
      await services.checkpoints?.whenStored();
      services.checkpoints?.stop();
      await server.stop(true);
      await conversations.close();
      process.exit(0);
    },
    async (signal) => {
      console.log(`${signal} again: exiting now, after a last checkpoint`);
      // Bounded: a store waiting on a lock must not hold up an exit the operator asked for twice.
      const flushed = services.checkpoints?.flush().catch(() => {});
      await Promise.race([flushed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      process.exit(130);
    },
  );
}

await start();
