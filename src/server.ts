/**
 * Starts Sluice: configuration → access → services → app → serve (the public listener, and the
 * internal one for metrics), and a graceful drain on SIGINT/SIGTERM.
 *
 * The PostgreSQL driver and the cluster's Redis client are loaded only when DATABASE_URL and
 * REDIS_URL ask for them (as the MCP SDK is, at the first tool server's connection): code loaded
 * stays in the heap, and the runtime's collector lets garbage pile up in proportion to the heap it
 * keeps, so every idle megabyte of code is about another megabyte of memory under load.
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AppOptions, createHandler, createInternalHandler } from "./app.ts";
import { ALL_APP_DEFENCES, type Defences } from "./app-defences.ts";
import { type Access, createAccess } from "./auth/access.ts";
import type { OidcSignIn } from "./auth/oidc-client.ts";
import type { Cluster } from "./cluster/cluster.ts";
import { type Config, ConfigError, describeConfig, loadConfig } from "./config.ts";
import { databaseFileName } from "./conversations/sqlite.ts";
import { openWorkerStore } from "./conversations/sqlite-worker-proxy.ts";
import { logWarning, mask, registerSecret } from "./log.ts";
import { onShutdownSignal, runtimeName, serve } from "./runtime.ts";
import { createServices } from "./services.ts";
import { createSimulator } from "./simulator/server.ts";

/**
 * DATA_DIR, created owner-only (0700): it holds every conversation, the session secret and the
 * generated access token, which no other account of the machine may read. An existing folder is
 * left as its owner made it, with a warning when others may read it.
 */
function prepareDataDir(dir: string, ownerOnly: boolean): void {
  mkdirSync(dir, { recursive: true, mode: ownerOnly ? 0o700 : 0o777 });
  if (ownerOnly && (statSync(dir).mode & 0o077) !== 0)
    logWarning("DATA_DIR may be read by other accounts", { dataDir: dir, fix: `chmod 700 ${dir}` });
}

/**
 * The database file, created empty (a valid SQLite database) and owner-only (0600) before SQLite
 * opens it: SQLite creates its -wal and -shm files with the database file's own mode.
 */
function createOwnerOnly(dir: string, name: string): void {
  try {
    writeFileSync(join(dir, name), "", { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

/** Says in one line why Sluice cannot start (no stack: the cause is the operator's to fix), and exits. */
function cannotStart(reason: string): never {
  console.error(`Sluice cannot start: ${mask(reason)}`);
  process.exit(1);
}

/** The configuration and access mode, or a message that says what to fix, and exit. */
function settle(defences: Defences): { config: Config; access: Access } {
  try {
    const config = loadConfig(process.env);
    for (const secret of [config.upstreamApiKey, config.auth.sessionSecret, config.databaseUrl, config.redisUrl])
      registerSecret(secret);
    for (const server of config.tools.servers) for (const value of Object.values(server.headers)) registerSecret(value);
    prepareDataDir(config.dataDir, defences.privateFiles);
    return { config, access: createAccess(config, config.dataDir, defences) };
  } catch (error) {
    if (error instanceof ConfigError) cannotStart(error.message);
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === "EACCES" || code === "EPERM" || code === "ENOTDIR") cannotStart(`DATA_DIR: ${message}`);
    throw error;
  }
}

/** The conversation store of the configuration, or one line that says why not, and exit. */
async function openStore(config: Config, recoverAtStart: boolean, defences: Defences) {
  const { searchTimeoutMs } = config.storeShares;
  if (config.databaseUrl) {
    const quoteSearch = defences.searchQuoting;
    const options = { poolSize: config.databasePoolSize, recoverAtStart, searchTimeoutMs, quoteSearch };
    const { openPostgresStore } = await import("./conversations/postgres.ts");
    return openPostgresStore(config.databaseUrl, options).catch((error: Error & { code?: string }) =>
      cannotStart(`DATABASE_URL: ${error.message}${error.code ? ` (${error.code})` : ""}`),
    );
  }
  if (defences.privateFiles) createOwnerOnly(config.dataDir, databaseFileName);
  return openWorkerStore(config.dataDir, { maxBytes: config.storeMaxBytes, searchTimeoutMs }).catch((error: Error) =>
    cannotStart(`DATA_DIR: ${error.message}`),
  );
}

/** Joins the instances that share `redisUrl`, or says why not, and exit. */
async function joinCluster(config: Config, redisUrl: string): Promise<Cluster> {
  const { Cluster } = await import("./cluster/cluster.ts");
  try {
    return await Cluster.connect({
      redisUrl,
      instanceId: config.instanceId,
      retentionMs: config.streamRetentionMs,
      maxEvents: config.maxGenerationEvents,
      userLimits: config.userLimits,
    });
  } catch (error) {
    cannotStart(`REDIS_URL: ${(error as Error).message}`);
  }
}

/** What people need to know to get in, printed once at start. */
function announce(config: Config, access: Access, port: number, internalPort: number): void {
  const local = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const base = config.publicUrl ?? `http://${local}:${port}`;
  console.log(JSON.stringify({ level: "info", msg: "settings", runtime: runtimeName, ...describeConfig(config) }));
  if (config.upstreamBaseUrl === undefined)
    console.log("Model: the built-in simulator (demo). Set UPSTREAM_BASE_URL and MODEL to use a real one.");
  console.log(`Access: ${access.mode}${access.mode === "none" ? " (everyone who can connect is the one user)" : ""}`);
  if (access.oidc) announceProvider(access.oidc);
  if (access.generatedToken) {
    console.log(
      "No AUTH is set and Sluice listens beyond this machine, so it made an access token (kept in DATA_DIR).",
    );
    console.log(`Sign in by opening: ${base}/login#token=${access.generatedToken}`);
  }
  console.log(`Metrics and internal routes at http://${config.metricsHost}:${internalPort}/metrics`);
  console.log(`Sluice listening on http://${local}:${port}`);
}

/**
 * Reads the OIDC provider's discovery document now, so that a wrong OIDC_ISSUER shows at start;
 * a provider that is down is tried again at the first sign-in, without a restart.
 */
function announceProvider(oidc: OidcSignIn): void {
  const { issuer, redirectUri } = oidc.settings;
  console.log(`Single sign-on with ${issuer}; register ${redirectUri} as the redirect URL`);
  oidc.configuration().catch((error: Error) =>
    logWarning("cannot read the OIDC provider's discovery document yet; sign-ins will try again", {
      issuer,
      error: String(error.cause ?? error),
    }),
  );
}

/** Starts the server from the environment; `off` only for the attacker suite's negative controls. */
export async function startServer(off?: AppOptions["defences"]): Promise<void> {
  const defences = { ...ALL_APP_DEFENCES, ...off };
  const { config, access } = settle(defences);
  const simulator = config.upstreamBaseUrl ? undefined : createSimulator(config.simulator);
  // SQLite runs in a worker: no synchronous database call on the thread that relays tokens.
  // PostgreSQL's client is asynchronous already.
  const cluster = config.redisUrl ? await joinCluster(config, config.redisUrl) : undefined;
  const conversations = await openStore(config, !cluster, defences);
  if (conversations.recovered > 0)
    console.log(`${conversations.recovered} answer(s) cut off by the last shutdown are marked interrupted`);
  // The in-flight budget off (a negative control only) is a budget nothing fills.
  const budgeted = defences.inflightBytes ? config : { ...config, inflightBytesMax: Number.MAX_SAFE_INTEGER };
  const services = createServices(budgeted, {
    simulator,
    conversations,
    fairStore: defences.storeFairness,
    ...(cluster ? { cluster } : {}),
  });
  const handler = await createHandler(services, access, { publicDir: "public", defences });
  if (cluster) {
    await cluster.listen(access.sessions);
    if (config.databaseUrl) cluster.sweepAnswers(conversations);
  }
  const server = serve(handler, { port: config.port, hostname: config.host });
  const internal = serve(createInternalHandler(services), { port: config.metricsPort, hostname: config.metricsHost });
  announce(config, access, server.port, internal.port);

  onShutdownSignal(
    async (signal) => {
      console.log(`${signal}: draining (up to ${config.drainTimeoutMs} ms)`);
      await services.registry.drain(config.drainTimeoutMs);
      // Answers cut by the drain are stored as interrupted, and every call's usage counted, before the store closes.
      await services.checkpoints?.whenStored();
      services.checkpoints?.stop();
      await services.accounting?.flush();
      await Promise.all([server.stop(true), internal.stop(true), services.toolbox?.close()]);
      await cluster?.leave();
      await Promise.all([conversations.close(), services.pdfReader.close()]);
      process.exit(0);
    },
    async (signal) => {
      console.log(`${signal} again: exiting now, after a last checkpoint`);
      // Bounded: a store waiting on a lock must not hold up an exit the operator asked for twice.
      const flushed = Promise.all([services.checkpoints?.flush(), services.accounting?.flush()]).catch(() => {});
      await Promise.race([flushed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      process.exit(130);
    },
  );
}
