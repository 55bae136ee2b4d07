/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: it can start generations;
 * 503 while draining, so load balancers move traffic away before shutdown).
 */
import { Elysia } from "elysia";
import type { Services } from "../services.ts";

export function healthRoutes(services: Services) {
  return new Elysia({ name: "health" })
    .get("/healthz", () => ({ status: "ok" }))
    .get("/readyz", ({ set }) => {
      const draining = services.registry.draining;
      if (draining) set.status = 503;
      return {
        status: draining ? "draining" : "ready",
        upstream: services.simulator ? "simulator" : services.config.upstreamBaseUrl,
        model: services.config.model,
        generations_active: services.registry.activeCount,
      };
    });
}
