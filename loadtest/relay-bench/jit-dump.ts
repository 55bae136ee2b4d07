/**
 * The code a JIT compiled, from the JITDump file it wrote (the format `perf inject --jit` reads;
 * Bun writes one per process with BUN_JSC_useJITDump=1), as the perf map that `perf report` and
 * `perf script` read for JIT code: /tmp/perf-<pid>.map, one "start size name" line per function.
 * Bun names its file `jit-<thread>-<pid>.dump`, which `perf inject` does not look for; a map needs
 * no injection.
 *
 * A map has no time, and a JIT reuses the memory of code it threw away: a map names a sample in
 * reused memory after whichever function it lists first. `JitSymbols` names it after the code
 * loaded there last before the sample, from the load times the dump records.
 */

const MAGIC = 0x4a695444;
const CODE_LOAD = 0;
const HEADER_PID_OFFSET = 20;

export interface JitCode {
  address: bigint;
  size: bigint;
  name: string;
  /** When it was loaded: CLOCK_MONOTONIC, in ns (the JITDump default; Bun's flags say no other). */
  loadedAtNs: bigint;
}

export interface JitDump {
  pid: number;
  code: JitCode[];
}

/** Reads a JITDump file's bytes: the process it came from and every function it loaded. */
export function readJitDump(bytes: Uint8Array): JitDump {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 40 || view.getUint32(0, true) !== MAGIC) throw new Error("not a JITDump file");
  const headerSize = view.getUint32(8, true);
  const pid = view.getUint32(HEADER_PID_OFFSET, true);
  const code: JitCode[] = [];
  const decoder = new TextDecoder();
  for (let offset = headerSize; offset + 16 <= bytes.byteLength; ) {
    const id = view.getUint32(offset, true);
    const size = view.getUint32(offset + 4, true);
    // A record cut short: the process was still writing when the file was read.
    if (size < 16 || offset + size > bytes.byteLength) break;
    if (id === CODE_LOAD) {
      // After the record's header: pid, tid (u32 each), vma, code address, code size, index (u64 each), name.
      const address = view.getBigUint64(offset + 16 + 16, true);
      const codeSize = view.getBigUint64(offset + 16 + 24, true);
      const nameStart = offset + 16 + 40;
      const nameEnd = bytes.indexOf(0, nameStart);
      const name = decoder.decode(bytes.subarray(nameStart, nameEnd === -1 ? offset + size : nameEnd));
      const loadedAtNs = view.getBigUint64(offset + 8, true);
      code.push({ address, size: codeSize, name: name.replace(/\s+/g, " "), loadedAtNs });
    }
    offset += size;
  }
  return { pid, code };
}

/** The perf map text of `dump`'s code. */
export function perfMapOf(dump: JitDump): string {
  return dump.code.map((code) => `${code.address.toString(16)} ${code.size.toString(16)} ${code.name}\n`).join("");
}

/** Names an address at a time: the code loaded there last before then (a JIT reuses its memory). */
export class JitSymbols {
  /** By load time, oldest first. */
  readonly #code: JitCode[];

  constructor(
    dump: JitDump,
    /** CLOCK_REALTIME − CLOCK_MONOTONIC, in seconds: the samples' clock (perf -k realtime) from the dump's. */
    readonly realtimeOffsetS: number,
  ) {
    this.#code = [...dump.code].sort((a, b) =>
      a.loadedAtNs < b.loadedAtNs ? -1 : a.loadedAtNs > b.loadedAtNs ? 1 : 0,
    );
  }

  /** The name of the code at `address` at `timeS` (epoch seconds), if any was loaded there by then. */
  nameAt(address: bigint, timeS: number): string | undefined {
    const at = BigInt(Math.round((timeS - this.realtimeOffsetS) * 1e9));
    for (let index = this.#code.length - 1; index >= 0; index--) {
      const code = this.#code[index] as JitCode;
      if (code.loadedAtNs > at) continue;
      if (address >= code.address && address < code.address + code.size) return code.name;
    }
    return undefined;
  }
}
