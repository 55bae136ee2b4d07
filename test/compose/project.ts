/**
 * The shipped docker-compose.yml run as one Compose project: up with a build, a bounded wait until
 * every service is healthy, exec into a service, restart one, and down with its volumes.
 */
import { spawn, spawnSync } from "bun";
import { composeCommand } from "../deploy/compose-file.ts";
import { httpPort } from "./client.ts";

const root = new URL("../../", import.meta.url).pathname;
export const PROJECT = "sluice-compose-test";

/** One way of running the compose file: its profiles and env file, and where its model runs. */
export interface ComposeVariant {
  name: string;
  /** Compose's global options, e.g. ["--profile", "simulator", "--env-file", "deploy/env/simulator.env"]. */
  options: string[];
  services: string[];
  /** The service whose container runs the model, and the model's counters on that container's loopback. */
  model: { service: string; statsUrl: string };
}

export interface CommandResult {
  code: number;
  stdout: string;
  /** Compose's progress and warnings. */
  stderr: string;
}

/**
 * Removes the images a newer build left untagged: the app's (labelled by build-overrides.yml) and
 * the stand-ins'. Tagged images stay, as the next run's cache; nobody else's image is touched.
 */
export function pruneReplacedImages(): void {
  for (const label of ["org.sluice.compose-test", "org.sluice.stand-in.inputs"]) {
    spawnSync(["docker", "image", "prune", "--force", "--filter", `label=${label}`], { stdout: "ignore" });
  }
}

/** A Compose failure, with what Compose printed. */
export class ComposeError extends Error {
  override name = "ComposeError";
  readonly code = "compose_failed";
}

export class ComposeProject {
  constructor(readonly variant: ComposeVariant) {}

  /** Runs docker-compose with this project's files and options; never longer than `timeoutMs`. */
  async run(args: string[], timeoutMs = 120_000): Promise<CommandResult> {
    const command = composeCommand();
    if (!command) throw new ComposeError("docker-compose is not installed");
    const files = ["-f", "docker-compose.yml", "-f", "test/compose/build-overrides.yml"];
    const child = spawn([...command, "-p", PROJECT, ...files, ...this.variant.options, ...args], {
      cwd: root,
      // Only what Compose needs: an ambient UPSTREAM_BASE_URL or MODEL would change the project.
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        SLUICE_HTTP_PORT: String(httpPort),
        // The classic builder, as Compose v1 uses by default: no buildx plugin needed.
        COMPOSE_DOCKER_CLI_BUILD: "0",
        DOCKER_BUILDKIT: "0",
      },
      stdout: "pipe",
      stderr: "pipe",
      timeout: timeoutMs,
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { code, stdout, stderr };
  }

  /** Like `run`, but a failure throws with Compose's output; the standard output. */
  async must(args: string[], timeoutMs?: number): Promise<string> {
    const result = await this.run(args, timeoutMs);
    if (result.code !== 0) {
      throw new ComposeError(`docker-compose ${args.join(" ")}: exit ${result.code}\n${result.stdout}${result.stderr}`);
    }
    return result.stdout;
  }

  /** Runs `command` in a running service's container; its standard output. */
  exec(service: string, command: string[]): Promise<string> {
    return this.must(["exec", "-T", service, ...command], 30_000);
  }

  /** Each container's health, or its state where it has no health check: "healthy", "running", … */
  async states(): Promise<Record<string, string>> {
    const format =
      '{{index .Config.Labels "com.docker.compose.service"}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}';
    const ids = (await this.must(["ps", "-q"])).split("\n").filter((line) => /^[0-9a-f]{12,}$/.test(line.trim()));
    if (ids.length === 0) return {};
    const inspect = spawn(["docker", "inspect", "--format", format, ...ids], { stdout: "pipe", stderr: "ignore" });
    const lines = (await new Response(inspect.stdout).text()).trim().split("\n");
    return Object.fromEntries(lines.map((line) => line.split(" ") as [string, string]));
  }

  /** Waits until every service of the variant is healthy (or running, without a health check). */
  async waitHealthy(timeoutMs = 120_000): Promise<Record<string, string>> {
    const deadline = performance.now() + timeoutMs;
    let states: Record<string, string> = {};
    while (performance.now() < deadline) {
      states = await this.states();
      const ready = this.variant.services.every((name) => ["healthy", "running"].includes(states[name] ?? ""));
      if (ready) return states;
      await Bun.sleep(1_000);
    }
    const logs = (await this.run(["logs", "--tail", "30"])).stdout;
    throw new ComposeError(`not healthy after ${timeoutMs} ms: ${JSON.stringify(states)}\n${logs}`);
  }

  /** down -v: containers, networks and the named volumes gone. */
  down(): Promise<string> {
    return this.must(["down", "-v", "--remove-orphans", "--timeout", "20"], 120_000);
  }
}
