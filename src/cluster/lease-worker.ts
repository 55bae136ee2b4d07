/**
 * Renews this instance's lease from its own thread, with its own Redis connection: the thread
 * that relays tokens may stall for seconds under overload, and an instance that is merely slow
 * must not be taken for dead (its viewers elsewhere would get `interrupted`). The lease says the
 * process lives; a process that dies takes this thread with it. Messages in: "release"; out:
 * "held" after the first renewal, "released" when the lease is given up.
 */
import { parentPort, workerData } from "node:worker_threads";
import { keys } from "./keys.ts";
import { connectRedis } from "./redis-client.ts";

export interface LeaseWorkerData {
  redisUrl: string;
  instance: string;
  ttlMs: number;
  everyMs: number;
}

const port = parentPort;
if (!port) throw new Error("lease-worker.ts runs only as a worker");
const { redisUrl, instance, ttlMs, everyMs } = workerData as LeaseWorkerData;
const redis = connectRedis(redisUrl, `sluice-${instance}-lease`);
let held = false;

async function renew(): Promise<void> {
  await redis.set(keys.instance(instance), String(Date.now()), "PX", ttlMs);
  if (!held) port?.postMessage("held");
  held = true;
}

// Back after an outage (perhaps a Redis restarted empty): renewed at once, not at the next tick.
redis.on("ready", () => void renew().catch(() => {}));
void redis.connect().catch(() => {});
const timer = setInterval(() => void renew().catch(() => {}), everyMs);

port.on("message", async (message: unknown) => {
  if (message !== "release") return;
  clearInterval(timer);
  await redis.del(keys.instance(instance)).catch(() => {});
  redis.disconnect();
  port.postMessage("released");
});
