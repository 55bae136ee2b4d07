/**
 * The import graph of every TypeScript folder, checked against layers: a module may import from
 * its own layer and the layers below it, never from above, and no import may close a loop. The
 * server's layers follow the way a token travels (ARCHITECTURE.md); above the server and the
 * browser code come the harness (what the stack, the tests and the benches share), the scripts,
 * the benches and load scenarios, and the tests, which nothing imports.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Lowest first. A path matches the first prefix that starts it. */
export const LAYERS: readonly (readonly string[])[] = [
  [
    "src/contract.ts",
    "src/errors.ts",
    "src/env-values.ts",
    "src/held.ts",
    "src/log.ts",
    "src/memory-collector.ts",
    "src/young-garbage.ts",
    "src/runtime.ts",
    "src/stream-id.ts",
    "src/tcp.ts",
    "src/utf8.ts",
    "src/mcp-servers-file.ts",
  ],
  ["src/config.ts", "src/auth-settings.ts", "src/settings/"],
  [
    "src/upstream/",
    "src/tools/",
    "src/conversations/",
    "src/documents/",
    "src/simulator/",
    "src/auth/",
    "src/limits/",
    "src/usage/",
  ],
  ["src/generation/"],
  ["src/cluster/"],
  ["src/sse/", "src/metrics/", "src/admin/"],
  ["src/http/"],
  ["src/services.ts", "src/generation-reserver.ts"],
  ["src/app.ts", "src/app-defences.ts", "src/stream-parts.ts", "src/route-groups.ts"],
  ["src/server.ts"],
  ["src/main.ts", "ui/"],
  // Imports neither the tests nor the benches: what they share lives here.
  ["harness/"],
  ["scripts/"],
  // The one home of the benchmarks and the load scenarios.
  ["loadtest/"],
  // Nothing imports a test.
  ["test/"],
];

/** The layer of `file`, or -1 when no layer names it. */
export function layerOf(file: string): number {
  return LAYERS.findIndex((prefixes) => prefixes.some((prefix) => file.startsWith(prefix)));
}

// Every way one file makes another run: static imports and re-exports, side-effect imports,
// dynamic imports of a literal path, and a worker started from a URL relative to the module.
const IMPORT =
  /^\s*(?:import|export)\b[^'"]*?from\s+["'](\.[^"']+)["']|^\s*import\s+["'](\.[^"']+)["']|\bimport\(\s*["'](\.[^"']+)["']\s*\)|\bnew Worker\(\s*new URL\(\s*["'](\.[^"']+)["']/gm;

/** The repository-relative files `text` (the content of `file`) imports, each once. */
export function importsIn(file: string, text: string): string[] {
  const targets = [...text.matchAll(IMPORT)].map((match) => {
    const specifier = (match[1] ?? match[2] ?? match[3] ?? match[4]) as string;
    return join(dirname(file), specifier);
  });
  return [...new Set(targets)];
}

/** Every .ts file under `root`, repository-relative, outside node_modules and dot folders: one outside every layer is a problem. */
export function typeScriptFiles(root: string, dir = ""): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) files.push(...typeScriptFiles(root, path));
    else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) files.push(path);
  }
  return files.sort();
}

/** Every cycle's files (strongly connected components of more than one file, or a self-import). */
export function cycles(graph: Map<string, string[]>): string[][] {
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

export interface ImportCheck {
  /** file → the files it imports. */
  graph: Map<string, string[]>;
  problems: string[];
}

/**
 * Checks `files` (repository-relative), reading each with `read`: a file outside every layer, an
 * import of something that is not one of `files`, an import upward, and every loop.
 */
export function checkImports(files: readonly string[], read: (file: string) => string): ImportCheck {
  const graph = new Map(files.map((file) => [file, importsIn(file, read(file))]));
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    if (layerOf(file) === -1)
      problems.push(`${file}: in no layer; add its folder to LAYERS in scripts/import-layers.ts`);
    for (const target of targets) {
      if (!graph.has(target)) problems.push(`${file} imports ${target}, which is not a source file here`);
      else if (layerOf(target) > layerOf(file)) problems.push(`${file} imports upward: ${target}`);
    }
  }
  for (const cycle of cycles(graph)) problems.push(`import cycle: ${cycle.join(" → ")}`);
  return { graph, problems };
}

/** The check of the repository at `root`, as it is on disk. */
export function checkRepository(root: string): ImportCheck {
  return checkImports(typeScriptFiles(root), (file) => readFileSync(resolve(root, file), "utf8"));
}
