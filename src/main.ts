/**
 * Sluice's entry point (`bun src/main.ts`, `deno run … src/main.ts`); server.ts does the work.
 */
import { startServer } from "./server.ts";

await startServer();
