/**
 * The ways docker-compose.yml is run live. Another profile is one more entry here (its options,
 * its services, where its model keeps its counters); the Ollama profile needs model weights and
 * stays a static check (test/deploy/compose.test.ts).
 */
import type { ComposeVariant } from "./project.ts";

export const VARIANTS: ComposeVariant[] = [
  {
    name: "docker-compose up (the built-in simulator)",
    options: [],
    services: ["app", "nginx"],
    // The embedded simulator's statistics are on the app's internal listener, never the public port.
    model: { service: "app", statsUrl: "http://127.0.0.1:9464/sim/stats" },
  },
  {
    name: "docker-compose --profile simulator (the standalone simulator as the model)",
    options: ["--profile", "simulator", "--env-file", "deploy/env/simulator.env"],
    services: ["app", "nginx", "simulator"],
    model: { service: "simulator", statsUrl: "http://127.0.0.1:3001/stats" },
  },
];
