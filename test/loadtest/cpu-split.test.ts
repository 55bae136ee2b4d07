import { describe, expect, test } from "bun:test";
import {
  codeKind,
  functionName,
  parseSample,
  samplesOf,
  splitReport,
  splitSamples,
} from "../../loadtest/relay-bench/cpu-split.ts";
import { JitSymbols, perfMapOf, readJitDump } from "../../loadtest/relay-bench/jit-dump.ts";

/** A JITDump file as a JIT writes it: the header, then a code load per function (and a record of another kind). */
function jitDump(
  pid: number,
  functions: { address: bigint; size: bigint; name: string; loadedAtNs?: bigint }[],
): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(40));
  header.setUint32(0, 0x4a695444, true);
  header.setUint32(4, 1, true);
  header.setUint32(8, 40, true);
  header.setUint32(20, pid, true);
  parts.push(new Uint8Array(header.buffer));
  for (const fn of functions) {
    const name = new TextEncoder().encode(`${fn.name}\0`);
    const code = new Uint8Array(8);
    const record = new DataView(new ArrayBuffer(16 + 40 + name.length + code.length));
    record.setUint32(0, 0, true);
    record.setBigUint64(8, fn.loadedAtNs ?? 0n, true);
    record.setUint32(4, record.byteLength, true);
    record.setUint32(16, pid, true);
    record.setBigUint64(16 + 16, fn.address, true);
    record.setBigUint64(16 + 24, fn.size, true);
    new Uint8Array(record.buffer).set(name, 16 + 40);
    parts.push(new Uint8Array(record.buffer));
    // A debug-info record between loads: skipped.
    const other = new DataView(new ArrayBuffer(24));
    other.setUint32(0, 2, true);
    other.setUint32(4, 24, true);
    parts.push(new Uint8Array(other.buffer));
  }
  return new Uint8Array(Buffer.concat(parts));
}

describe("JITDump files", () => {
  test("every loaded function becomes a perf map line, with the process id of the header", () => {
    const bytes = jitDump(4242, [
      { address: 0x7f00_0000_1000n, size: 0x80n, name: "JSC-FTL: token#Cq0dC8" },
      { address: 0x7f00_0000_2000n, size: 0x1an, name: "JSC-Baseline: pull\nnext" },
    ]);
    const dump = readJitDump(bytes);
    expect(dump.pid).toBe(4242);
    expect(perfMapOf(dump)).toBe("7f0000001000 80 JSC-FTL: token#Cq0dC8\n7f0000002000 1a JSC-Baseline: pull next\n");
    // A file cut in the middle of a record (the process still writing) keeps what is whole.
    expect(readJitDump(bytes.subarray(0, bytes.length - 30)).code).toHaveLength(1);
    expect(() => readJitDump(new Uint8Array(64))).toThrow("not a JITDump file");
  });
});

describe("the CPU split", () => {
  const lines = [
    "  101/101  1000.100000:    1000000      7f32713690c0 JSC-FTL: body#EoYX3m (/tmp/perf-101.map)",
    "  101/101  1000.200000:    1000000      7f32713690c0 JSC-DFG: body#EoYX3m (/tmp/perf-101.map)",
    "  101/101  1000.300000:    1000000  ffffffff8224f5f9 tcp_sendmsg ([kernel.kallsyms])",
    "  101/105  1000.400000:    1000000           1a4c9d6 [unknown] (/opt/bun/bin/bun)",
    "  101/101  1000.500000:    1000000      7f2caf790508 __memmove_avx512 (/usr/lib/x86_64-linux-gnu/libc.so.6)",
    // Outside the measured stretch, and another process.
    "  101/101  1009.000000:    1000000           1a4c9d6 [unknown] (/opt/bun/bin/bun)",
    "  202/202  1000.100000:    1000000      55aa00001234 JS:*#readPart file:///app/src/x.ts:1:2 (/tmp/perf-202.map)",
    "not a sample line",
  ];

  test("reads perf script's lines, and knows kernel, runtime, JavaScript and library code apart", () => {
    const sample = parseSample(lines[0] as string);
    expect(sample).toEqual({
      pid: 101,
      tid: 101,
      time: 1000.1,
      periodNs: 1_000_000,
      ip: 0x7f32713690c0n,
      symbol: "JSC-FTL: body#EoYX3m",
      object: "/tmp/perf-101.map",
    });
    expect(lines.slice(0, 5).map((line) => codeKind(parseSample(line) as { object: string }))).toEqual([
      "javascript",
      "javascript",
      "kernel",
      "runtime",
      "libraries",
    ]);
    expect(codeKind({ object: "/usr/bin/deno" })).toBe("runtime");
    expect(parseSample("not a sample line")).toBeUndefined();
    expect(functionName("JSC-FTL: body#EoYX3m")).toBe("body#EoYX3m");
    expect(functionName("JS:*#readPart file:///app/src/x.ts:1:2", "/app")).toBe("#readPart src/x.ts:1:2");
    expect(functionName("JS:~pull ext:deno_web/06_streams.js:1:2", "/app")).toBe("pull ext:deno_web/06_streams.js:1:2");
  });

  test("counts a subject's samples within its measured stretch, per token, tiers added up", () => {
    const measured = [
      { subject: "sluice", round: 0, tokens: 1000, pid: 101, measuredFromMs: 1_000_000, measuredToMs: 1_001_000 },
    ];
    const split = splitSamples(lines, measured).get("sluice");
    expect(split?.tokens).toBe(1000);
    expect(Object.fromEntries(split?.byKind ?? [])).toEqual({
      javascript: 2_000_000,
      kernel: 1_000_000,
      runtime: 1_000_000,
      libraries: 1_000_000,
    });
    expect(split?.otherThreads).toBe(1_000_000);
    expect(Object.fromEntries(split?.functions ?? [])).toEqual({ "body#EoYX3m": 2_000_000 });
    const report = splitReport(splitSamples(lines, measured), "bun loadtest/relay-bench/cpu-split.ts");
    expect(report).toContain("| all (perf samples) | 5.00 |");
    expect(report).toContain("| JavaScript (JIT-compiled) | 2.00 |");
    expect(report).toContain("- 2.00 `body#EoYX3m`");
  });

  test("a sample in memory the JIT reused is named after the code loaded there last before it", () => {
    // body's code is thrown away at 1000.15 s and pull's is loaded in its memory; the clocks: the
    // dump's monotonic ns + 900 s = the samples' epoch seconds.
    const dump = readJitDump(
      jitDump(101, [
        { address: 0x7f32_7136_9000n, size: 0x1000n, name: "JSC-FTL: body#EoYX3m", loadedAtNs: 100_000_000_000n },
        { address: 0x7f32_7136_9080n, size: 0x100n, name: "JSC-DFG: pull#Ab12Cd", loadedAtNs: 100_150_000_000n },
      ]),
    );
    const symbols = new JitSymbols(dump, 900);
    expect(symbols.nameAt(0x7f32_7136_90c0n, 1000.1)).toBe("JSC-FTL: body#EoYX3m");
    expect(symbols.nameAt(0x7f32_7136_90c0n, 1000.2)).toBe("JSC-DFG: pull#Ab12Cd");
    expect(symbols.nameAt(0x7f32_7136_9000n, 1000.2)).toBe("JSC-FTL: body#EoYX3m");
    expect(symbols.nameAt(0x7f32_7136_90c0n, 999)).toBeUndefined();
    const measured = [
      { subject: "sluice", round: 0, tokens: 1000, pid: 101, measuredFromMs: 1_000_000, measuredToMs: 1_001_000 },
    ];
    const split = splitSamples(lines, measured, new Map([[101, symbols]])).get("sluice");
    // The map (perf's own naming) said body twice; by time, the second sample ran pull.
    expect(Object.fromEntries(split?.functions ?? [])).toEqual({ "body#EoYX3m": 1_000_000, "pull#Ab12Cd": 1_000_000 });
  });

  test("with call stacks, the main thread's time counts to the innermost named JavaScript function, the runtime's code included", () => {
    const stacked = [
      // The runtime's code (no symbol) called from a trampoline called from handle: handle's.
      "  101/101  1000.100000:    1000000 ",
      "\t         1a4c9d6 [unknown] (/opt/bun/bin/bun)",
      "\t    7f3271360010 JSC-Baseline: CallTrampoline (/tmp/perf-101.map)",
      "\t    7f32713690c0 JSC-FTL: handle#EoYX3m (/tmp/perf-101.map)",
      "\t    7f3271369500 JSC-FTL: fetch#Ab12Cd (/tmp/perf-101.map)",
      "",
      // The kernel under the event loop: no JavaScript on the stack.
      "  101/101  1000.200000:    2000000 ",
      "\tffffffff8224f5f9 tcp_sendmsg ([kernel.kallsyms])",
      "\t         1a4c9d6 [unknown] (/opt/bun/bin/bun)",
      "",
      // Another thread: in the split by kind, not among the callers.
      "  101/105  1000.300000:    1000000 ",
      "\t         1a4c9d6 [unknown] (/opt/bun/bin/bun)",
    ];
    const samples = [...samplesOf(stacked)];
    expect(samples.map((sample) => [sample.symbol, sample.frames?.length])).toEqual([
      ["[unknown]", 4],
      ["tcp_sendmsg", 2],
      ["[unknown]", 1],
    ]);
    // One-line samples read as before, among stacked ones.
    expect([...samplesOf(lines.slice(0, 2))].map((sample) => sample.symbol)).toEqual([
      "JSC-FTL: body#EoYX3m",
      "JSC-DFG: body#EoYX3m",
    ]);
    const measured = [
      { subject: "sluice", round: 0, tokens: 1000, pid: 101, measuredFromMs: 1_000_000, measuredToMs: 1_001_000 },
    ];
    const split = splitSamples(stacked, measured).get("sluice");
    expect(Object.fromEntries(split?.byKind ?? [])).toEqual({ runtime: 2_000_000, kernel: 2_000_000 });
    expect(Object.fromEntries(split?.callers ?? [])).toEqual({
      "handle#EoYX3m": 1_000_000,
      "(no JavaScript on the stack: kernel)": 2_000_000,
    });
    const report = splitReport(splitSamples(stacked, measured), "bun loadtest/relay-bench/cpu-split.ts --stacks");
    expect(report).toContain("Main thread of sluice by the innermost JavaScript function on the stack");
    expect(report).toContain("- 1.00 `handle#EoYX3m`");
  });
});
