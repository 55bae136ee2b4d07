/**
 * The server with some of its defences off, for the attacker suite's negative controls only:
 * SLUICE_DEFENCES_OFF names them (e.g. `pathSpelling,fixedFileSet`). Shipped code has no such
 * switch; this test entry passes it programmatically.
 */
import type { Defences } from "../../src/app-defences.ts";
import { startServer } from "../../src/server.ts";

const off = (process.env.SLUICE_DEFENCES_OFF ?? "").split(",").filter(Boolean) as (keyof Defences)[];
await startServer(Object.fromEntries(off.map((name) => [name, false])));
