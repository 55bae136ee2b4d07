/**
 * What a JavaScriptCore heap snapshot holds (Bun's `generateHeapSnapshot()`), by class: how many
 * objects and how many bytes (each object's own size, not what it keeps alive), and the closures
 * by the names they are held under. Two snapshots, one idle and one with N streams open, give
 * what one stream holds: the difference, divided by N.
 *
 * The format: `nodes` is a flat list of [id, size, class index, flags] per object, `edges` of
 * [from id, to id, edge type index, name or index]; class, edge type and edge names are in lists
 * of their own.
 */

export interface HeapSnapshot {
  nodes: number[];
  nodeClassNames: string[];
  edges: number[];
  edgeTypes: string[];
  edgeNames: string[];
}

export interface ClassCount {
  objects: number;
  bytes: number;
}

export interface HeapCensus {
  /** By class name. */
  classes: Map<string, ClassCount>;
  /** Functions, by the property or variable names they are held under (closures show what made them). */
  functions: Map<string, number>;
}

const NODE_FIELDS = 4;
const EDGE_FIELDS = 4;

/** Counts `snapshot`'s objects and bytes by class, and its functions by the names that hold them. */
export function censusOf(snapshot: HeapSnapshot): HeapCensus {
  const { nodes, nodeClassNames, edges, edgeTypes, edgeNames } = snapshot;
  const classes = new Map<string, ClassCount>();
  const classOf = new Map<number, string>();
  for (let i = 0; i < nodes.length; i += NODE_FIELDS) {
    const name = nodeClassNames[nodes[i + 2] as number] ?? "?";
    classOf.set(nodes[i] as number, name);
    const count = classes.get(name) ?? { objects: 0, bytes: 0 };
    count.objects++;
    count.bytes += nodes[i + 1] as number;
    classes.set(name, count);
  }
  const holders = new Map<number, Set<string>>();
  for (let i = 0; i < edges.length; i += EDGE_FIELDS) {
    const to = edges[i + 1] as number;
    if (classOf.get(to) !== "Function") continue;
    const type = edgeTypes[edges[i + 2] as number];
    if (type !== "Property" && type !== "Variable") continue;
    const names = holders.get(to) ?? new Set<string>();
    names.add(edgeNames[edges[i + 3] as number] ?? "?");
    holders.set(to, names);
  }
  const functions = new Map<string, number>();
  for (const [id, name] of classOf) {
    if (name !== "Function") continue;
    const key = [...(holders.get(id) ?? ["(held by no name)"])].sort().slice(0, 3).join(", ");
    functions.set(key, (functions.get(key) ?? 0) + 1);
  }
  return { classes, functions };
}

export interface PerStream {
  objects: number;
  bytes: number;
  classes: [string, ClassCount][];
  functions: [string, number][];
}

/** What `open` holds beyond `idle`, per stream, largest first (classes by bytes, functions by count). */
export function perStream(idle: HeapCensus, open: HeapCensus, streams: number): PerStream {
  const classes: [string, ClassCount][] = [];
  let objects = 0;
  let bytes = 0;
  for (const [name, count] of open.classes) {
    const before = idle.classes.get(name) ?? { objects: 0, bytes: 0 };
    const each = { objects: (count.objects - before.objects) / streams, bytes: (count.bytes - before.bytes) / streams };
    objects += each.objects;
    bytes += each.bytes;
    classes.push([name, each]);
  }
  const functions: [string, number][] = [...open.functions].map(([name, count]) => [
    name,
    (count - (idle.functions.get(name) ?? 0)) / streams,
  ]);
  return {
    objects,
    bytes,
    classes: classes.sort((a, b) => b[1].bytes - a[1].bytes),
    functions: functions.sort((a, b) => b[1] - a[1]),
  };
}

/** The process's memory after a full collection (heap-census-preload.ts). */
export interface ProcessMemory {
  rss: number;
  /** Live bytes in the JavaScript heap. */
  heapSize: number;
  /** What the heap holds from the system for them: its blocks, live or not. */
  heapCapacity: number;
  /** Memory the heap's objects own outside it (buffers), as the runtime reports it. */
  extraMemorySize: number;
}

/** Where one stream's RSS goes, in bytes: the heap's capacity (and the live bytes in it), the objects' outside memory, the rest (native). */
export function memoryPerStream(idle: ProcessMemory, open: ProcessMemory, streams: number) {
  const each = (name: keyof ProcessMemory) => (open[name] - idle[name]) / streams;
  const rss = each("rss");
  const heapCapacity = each("heapCapacity");
  const extra = each("extraMemorySize");
  return { rss, heapCapacity, heapLive: each("heapSize"), extra, rest: rss - heapCapacity - extra };
}
