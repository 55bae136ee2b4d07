/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: it can start generations;
 * 503 while draining, so load balancers move traffic away before shutdown).
 */
import { Elysia } from "elysia";
import type { GenerationRegistry } from "../generation/registry.ts";

export interface HealthRouteDeps {
  registry: GenerationRegistry;
  /** "simulator", or the upstream's base URL. */
  upstream: string;
  model: string;
}

export function healthRoutes({ registry, upstream, model }: HealthRouteDeps) {
  return new Elysia({ name: "health" })
    .get("/healthz", () => ({ status: "ok" }))
    .get("/readyz", ({ set }) => {
      const draining = registry.draining;
      if (draining) set.status = 503;
      return {
        status: draining ? "draining" : "ready",
        upstream,
        model,
        generations_active: registry.activeCount,
      };
    });
}
