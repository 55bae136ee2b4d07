import { expect, test } from "bun:test";
import { censusReport } from "../../loadtest/relay-bench/heap-census.ts";
import { censusOf, type HeapSnapshot, memoryPerStream, perStream } from "../../loadtest/relay-bench/heap-snapshot.ts";

/** A snapshot of `objects` ([class, size]) and `edges` ([from, to, type, name]); ids are positions + 1. */
function snapshot(objects: [string, number][], edges: [number, number, string, string][] = []): HeapSnapshot {
  const nodeClassNames = [...new Set(objects.map(([name]) => name))];
  const edgeTypes = ["Internal", "Property", "Variable"];
  const edgeNames = [...new Set(edges.map((edge) => edge[3]))];
  return {
    nodes: objects.flatMap(([name, size], index) => [index + 1, size, nodeClassNames.indexOf(name), 0]),
    nodeClassNames,
    edges: edges.flatMap(([from, to, type, name]) => [from, to, edgeTypes.indexOf(type), edgeNames.indexOf(name)]),
    edgeTypes,
    edgeNames,
  };
}

test("what open streams hold beyond the idle heap, per stream, by class and by the names closures are held under", () => {
  const idle = snapshot([
    ["Object", 32],
    ["Function", 32],
  ]);
  // Two streams: each a viewer, its scope and a closure the scope holds as `release` (and one held by no name).
  const open = snapshot(
    [
      ["Object", 32],
      ["Function", 32],
      ["Viewer", 112],
      ["JSLexicalEnvironment", 48],
      ["Function", 32],
      ["Viewer", 112],
      ["JSLexicalEnvironment", 48],
      ["Function", 32],
      ["Function", 32],
    ],
    [
      [4, 5, "Variable", "release"],
      [6, 5, "Internal", "ignored"],
      [7, 8, "Variable", "release"],
    ],
  );
  const result = perStream(censusOf(idle), censusOf(open), 2);
  expect(result.bytes).toBe(112 + 48 + 32 + 16);
  expect(result.objects).toBe(3.5);
  expect(result.classes[0]).toEqual(["Viewer", { objects: 1, bytes: 112 }]);
  expect(Object.fromEntries(result.functions)).toEqual({ release: 1, "(held by no name)": 0.5 });
  const idleMemory = { rss: 100 << 20, heapSize: 14 << 20, heapCapacity: 18 << 20, extraMemorySize: 5 << 20 };
  const openMemory = { rss: 130 << 20, heapSize: 20 << 20, heapCapacity: 38 << 20, extraMemorySize: 6 << 20 };
  const memory = memoryPerStream(idleMemory, openMemory, 1024);
  expect(memory).toEqual({ rss: 30 << 10, heapCapacity: 20 << 10, heapLive: 6 << 10, extra: 1 << 10, rest: 9 << 10 });
  const report = censusReport(result, memory, "bun loadtest/relay-bench/heap-census.ts");
  expect(report).toContain("Per open stream: **208 bytes** in **3.5 objects**");
  expect(report).toContain("| Viewer | 1.00 | 112 |");
  expect(report).toContain("| release | 1.00 |");
  expect(report).toContain("| the JavaScript heap's capacity (its blocks, live or not) | 20.0 |");
  expect(report).toContain("| the rest: the runtime's native memory (sockets, buffers) | 9.0 |");
});
