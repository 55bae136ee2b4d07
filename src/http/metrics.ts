/**
 * `GET /metrics` in the Prometheus text format.
 */
import { Elysia } from "elysia";
import type { Registry } from "prom-client";

export function metricsRoutes(registry: Registry) {
  return new Elysia({ name: "metrics" }).get(
    "/metrics",
    async () => new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } }),
  );
}
