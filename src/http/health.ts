/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: it can start generations;
 * 503 while draining, so load balancers move traffic away before shutdown). `/readyz` also says
 * whether the upstream answers; it stays 200 when it does not, because this process can still
 * serve conversations, the page and the stored answers, and a restart would not bring it back.
 */
import { Elysia } from "elysia";
import type { GenerationRegistry } from "../generation/registry.ts";
import type { UpstreamHealth } from "../upstream/probe.ts";

export interface HealthRouteDeps {
  registry: GenerationRegistry;
  /** "simulator", or the upstream's base URL. */
  upstream: string;
  model: string;
  upstreamHealth: UpstreamHealth;
}

export function healthRoutes({ registry, upstream, model, upstreamHealth }: HealthRouteDeps) {
  return new Elysia({ name: "health" })
    .get("/healthz", () => ({ status: "ok" }))
    .get("/readyz", async ({ set }) => {
      const draining = registry.draining;
      if (draining) set.status = 503;
      return {
        status: draining ? "draining" : "ready",
        upstream,
        model,
        upstream_reachable: await upstreamHealth.reachable(),
        generations_active: registry.activeCount,
      };
    });
}
