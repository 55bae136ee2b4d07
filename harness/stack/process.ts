/**
 * The child processes of the stack, the tests and the benches (the app, the simulator, nginx):
 * their output is kept (and written to a log file when one is given) and, on request, relayed
 * line by line; they stop with a signal, and are killed when they do not stop in time.
 */
import { existsSync } from "node:fs";
import type { Subprocess } from "bun";

export type Runtime = "bun" | "deno";

const root = new URL("../../", import.meta.url).pathname;

export class StackProcessError extends Error {
  override name = "StackProcessError";
  constructor(
    readonly code: "process_exited" | "process_start_timeout",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The command that runs `entry` under `runtime`, as package.json's start and start:deno scripts
 * do (test/deploy checks that the Deno flags match).
 */
export function runtimeCommand(runtime: Runtime, entry: string): string[] {
  const local = `${root}node_modules/.bin/${runtime}`;
  const binary = existsSync(local) ? local : runtime;
  const file = `${root}${entry}`;
  return runtime === "deno"
    ? [
        binary,
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        "--allow-sys",
        "--unstable-no-legacy-abort",
        file,
      ]
    : [binary, file];
}

/** A started child with its collected output. */
export class StackProcess {
  private text = "";
  private relay: ((line: string) => void) | undefined;
  private readonly log: ReturnType<ReturnType<typeof Bun.file>["writer"]> | undefined;
  private readonly pumped: Promise<void>;

  constructor(
    readonly label: string,
    readonly child: Subprocess<"ignore", "pipe", "pipe">,
    logPath?: string,
  ) {
    this.log = logPath === undefined ? undefined : Bun.file(logPath).writer();
    this.pumped = Promise.all([this.pump(child.stdout), this.pump(child.stderr)]).then(() => {});
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Output so far (the last 64 KiB), for error messages. */
  output(): string {
    return this.text;
  }

  /** From now on, also hands every output line to `relay` (the console, prefixed). */
  relayTo(relay: (line: string) => void): void {
    this.relay = relay;
    // Complete lines only: the unfinished last one is relayed by pump() when it ends.
    for (const line of this.text.split("\n").slice(0, -1)) relay(line);
  }

  /** Resolves with the first `listening on http://…` URL printed; bounded by `timeoutMs`. */
  async listeningUrl(timeoutMs: number): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const match = /listening on (http:\/\/\S+)/.exec(this.text);
      if (match?.[1]) return match[1].replace("0.0.0.0", "127.0.0.1").replace("localhost", "127.0.0.1");
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        // The whole output, so the error shows why (e.g. the setting it refused).
        await this.pumped;
        const code = this.child.exitCode ?? this.child.signalCode;
        throw new StackProcessError(
          "process_exited",
          `${this.label} exited with ${code} before listening:\n${this.text}`,
        );
      }
      await Bun.sleep(25);
    }
    throw new StackProcessError(
      "process_start_timeout",
      `${this.label} did not start in ${timeoutMs} ms:\n${this.text}`,
    );
  }

  /** Sends `signal`, waits up to `graceMs`, then SIGKILL; resolves once the process is gone. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 5_000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
      const stopped = await Promise.race([this.child.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
      if (!stopped) this.child.kill("SIGKILL");
    }
    await this.child.exited;
    await this.pumped;
    await this.log?.end();
  }

  private async pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let partial = "";
    for await (const chunk of stream) {
      this.log?.write(chunk);
      const text = decoder.decode(chunk, { stream: true });
      this.text = (this.text + text).slice(-65_536);
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      if (this.relay) for (const line of lines) this.relay(line);
    }
  }
}
