/**
 * The code a JIT compiled, from the JITDump file it wrote (the format `perf inject --jit` reads;
 * Bun writes one per process with BUN_JSC_useJITDump=1), as the perf map that `perf report` and
 * `perf script` read for JIT code: /tmp/perf-<pid>.map, one "start size name" line per function.
 * Bun names its file `jit-<thread>-<pid>.dump`, which `perf inject` does not look for; a map needs
 * no injection.
 */

const MAGIC = 0x4a695444;
const CODE_LOAD = 0;
const HEADER_PID_OFFSET = 20;

export interface JitCode {
  address: bigint;
  size: bigint;
  name: string;
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
      code.push({ address, size: codeSize, name: name.replace(/\s+/g, " ") });
    }
    offset += size;
  }
  return { pid, code };
}

/** The perf map text of `dump`'s code. */
export function perfMapOf(dump: JitDump): string {
  return dump.code.map((code) => `${code.address.toString(16)} ${code.size.toString(16)} ${code.name}\n`).join("");
}
