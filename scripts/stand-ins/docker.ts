/**
 * The few Docker commands the stand-in images need, run through the docker CLI. Builds use the
 * classic builder: it is what Compose v1 (Debian's docker-compose) builds with, it needs no buildx
 * plugin, and it never pulls a base image that is already present.
 */
import { spawn, spawnSync } from "bun";

/** Why a stand-in could not be built; `code` is stable for callers and tests. */
export class StandInError extends Error {
  override name = "StandInError";
  constructor(
    readonly code: "docker_unavailable" | "not_root" | "bun_mismatch" | "command_failed" | "pin_missing",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The label that records a stand-in's inputs, so an unchanged one is not built again. */
export const INPUTS_LABEL = "org.sluice.stand-in.inputs";

const classicBuilder = { ...process.env, DOCKER_BUILDKIT: "0" };

/** Runs a command to its end, its output passed through; throws `command_failed` on a non-zero exit. */
export async function run(
  command: string[],
  options: { cwd?: string; stdin?: ReadableStream<Uint8Array> } = {},
): Promise<void> {
  const child = spawn(command, {
    cwd: options.cwd,
    env: classicBuilder,
    stdin: options.stdin ?? "ignore",
    stdout: "inherit",
    stderr: "inherit",
  });
  const code = await child.exited;
  if (code !== 0) throw new StandInError("command_failed", `${command.slice(0, 3).join(" ")} … exited with ${code}`);
}

/**
 * An image's inputs label: the hash for a stand-in, "" for an image that exists without one (a
 * real image, pulled or loaded: never overwritten), undefined when there is no such image.
 */
export function inputsOf(tag: string): string | undefined {
  const result = spawnSync([
    "docker",
    "image",
    "inspect",
    "--format",
    `{{ index .Config.Labels "${INPUTS_LABEL}" }}`,
    tag,
  ]);
  if (!result.success) return undefined;
  const value = result.stdout.toString().trim();
  return value === "<no value>" ? "" : value;
}

/** The image ID of `tag`, which must exist. */
export function imageId(tag: string): string {
  const result = spawnSync(["docker", "image", "inspect", "--format", "{{.Id}}", tag]);
  if (!result.success) throw new StandInError("command_failed", `no image ${tag}`);
  return result.stdout.toString().trim();
}

/** Throws `docker_unavailable` unless the docker CLI reaches an engine. */
export function requireEngine(): void {
  const result = spawnSync(["docker", "info", "--format", "{{.ServerVersion}}"], { stderr: "pipe" });
  if (!result.success) {
    throw new StandInError("docker_unavailable", `no Docker engine answers: ${result.stderr.toString().trim()}`);
  }
}

export interface BuildRequest {
  context: string;
  tags: string[];
  buildArgs: Record<string, string>;
  inputs: string;
  /** The host's network, for a build step that downloads packages (see the nginx stand-in). */
  hostNetwork?: boolean;
}

/** `docker build` with the inputs label; every tag names the same image. */
export async function build(request: BuildRequest): Promise<void> {
  const command = ["docker", "build", "--quiet", "--label", `${INPUTS_LABEL}=${request.inputs}`];
  for (const tag of request.tags) command.push("--tag", tag);
  for (const [name, value] of Object.entries(request.buildArgs)) command.push("--build-arg", `${name}=${value}`);
  if (request.hostNetwork) command.push("--network", "host");
  await run([...command, request.context]);
}
