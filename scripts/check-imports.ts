/**
 * The import graph of every TypeScript folder (src, ui, harness, scripts, loadtest, test): prints
 * it on request, and fails on an import cycle anywhere or on an import that runs from a lower
 * layer back up to a higher one (the layers: scripts/import-layers.ts).
 *
 *   bun scripts/check-imports.ts           check (part of npm test)
 *   bun scripts/check-imports.ts --graph   also print every file's imports, by layer
 */
import { dirname, resolve } from "node:path";
import { checkRepository, layerOf } from "./import-layers.ts";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const { graph, problems } = checkRepository(root);

if (process.argv.includes("--graph")) {
  for (const [file, targets] of [...graph].sort(([a], [b]) => layerOf(b) - layerOf(a) || a.localeCompare(b)))
    console.log(`${layerOf(file)}  ${file}${targets.length ? ` → ${targets.join(", ")}` : ""}`);
}
for (const problem of problems) console.error(problem);
console.log(`imports: ${graph.size} files, ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
