/**
 * `GET /metrics` in the Prometheus text format.
 */
import { Elysia } from "elysia";
import type { Services } from "../services.ts";

export function metricsRoutes(services: Services) {
  const { registry } = services.metrics;
  return new Elysia({ name: "metrics" }).get(
    "/metrics",
    async () => new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } }),
  );
}
