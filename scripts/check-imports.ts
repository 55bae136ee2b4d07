/**
 * The import graph of the server (`src/`) and the browser code (`ui/`): prints it, and fails on
 * an import cycle or on an import that runs from a lower layer back up to a higher one.
 *
 *   bun scripts/check-imports.ts           check (part of npm test)
 *   bun scripts/check-imports.ts --graph   also print every file's imports, by layer
 *
 * The layers follow the way a token travels (ARCHITECTURE.md): a module may import from its own
 * layer and the layers below it, never from above.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");

/** Lowest first. A path matches the first prefix that starts it. */
const LAYERS: readonly (readonly string[])[] = [
  [
    "src/contract.ts",
    "src/errors.ts",
    "src/env-values.ts",
    "src/log.ts",
    "src/runtime.ts",
    "src/stream-id.ts",
    "src/tcp.ts",
  ],
  ["src/config.ts"],
  ["src/upstream/", "src/conversations/", "src/simulator/", "src/auth/", "src/limits/"],
  ["src/generation/"],
  ["src/cluster/"],
  ["src/sse/", "src/metrics/"],
  ["src/http/"],
  ["src/services.ts"],
  ["src/app.ts"],
  ["src/server.ts"],
  ["src/main.ts", "ui/"],
];

function layerOf(file: string): number {
  const index = LAYERS.findIndex((prefixes) => prefixes.some((prefix) => file.startsWith(prefix)));
  if (index === -1) throw new Error(`${file}: no layer; add it to LAYERS in scripts/check-imports.ts`);
  return index;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts"))
    .map((name) => join(dir, name));
}

const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+["'](\.[^"']+)["']/gm;

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const targets = [...text.matchAll(IMPORT)].map((match) =>
    relative(root, resolve(root, dirname(file), match[1] as string)),
  );
  return [...new Set(targets)];
}

/** Every cycle's files (strongly connected components of more than one file, or a self-import). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

const files = [...sourceFiles("src"), ...sourceFiles("ui")].sort();
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const problems: string[] = [];
for (const [file, targets] of graph) {
  for (const target of targets) {
    if (!graph.has(target)) problems.push(`${file} imports ${target}, which is not a source file here`);
    else if (layerOf(target) > layerOf(file)) problems.push(`${file} imports upward: ${target}`);
  }
}
for (const cycle of cycles(graph)) problems.push(`import cycle: ${cycle.join(" → ")}`);

if (process.argv.includes("--graph")) {
  for (const [file, targets] of [...graph].sort(([a], [b]) => layerOf(b) - layerOf(a) || a.localeCompare(b)))
    console.log(`${layerOf(file)}  ${file}${targets.length ? ` → ${targets.join(", ")}` : ""}`);
}
for (const problem of problems) console.error(problem);
console.log(`imports: ${files.length} files, ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
