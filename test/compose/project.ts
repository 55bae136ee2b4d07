/**
 * The shipped docker-compose.yml run as one Compose project: up with a build, a bounded wait until
 * every container of every service is healthy, exec into a service, restart one, and down with its
 * volumes.
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
  /** Compose files on top of docker-compose.yml, as the variant's env file names them (COMPOSE_FILE). */
  files?: string[];
  /** Variables in Compose's environment, as a user would export them; they win over the env file. */
  env?: Record<string, string>;
  /** Containers per service where more than one (`up --scale service=N`). */
  replicas?: Record<string, number>;
  services: string[];
  /** The service whose container runs the model, and the model's counters on that container's loopback. */
  model: { service: string; statsUrl: string };
  /** Tests of this variant only, registered after the common ones, while the project is up. */
  checks?: (project: ComposeProject) => void;
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
    const files = ["docker-compose.yml", ...(this.variant.files ?? []), "test/compose/build-overrides.yml"].flatMap(
      (file) => ["-f", file],
    );
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
        ...this.variant.env,
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

  /** `docker inspect --format` of every running container of the project: one line each. */
  async #inspect(format: string, service?: string): Promise<string[]> {
    const ids = (await this.must(["ps", "-q", ...(service ? [service] : [])]))
      .split("\n")
      .filter((line) => /^[0-9a-f]{12,}$/.test(line.trim()));
    if (ids.length === 0) return [];
    const inspect = spawn(["docker", "inspect", "--format", format, ...ids], { stdout: "pipe", stderr: "ignore" });
    return (await new Response(inspect.stdout).text()).trim().split("\n");
  }

  /**
   * Each service's containers' health, or their state where there is no health check: e.g.
   * `{ app: ["healthy", "healthy"], nginx: ["running"] }`.
   */
  async states(): Promise<Record<string, string[]>> {
    const format =
      '{{index .Config.Labels "com.docker.compose.service"}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}';
    const states: Record<string, string[]> = {};
    for (const line of await this.#inspect(format)) {
      const [service = "", state = ""] = line.split(" ");
      states[service] = [...(states[service] ?? []), state];
    }
    return states;
  }

  /** The addresses of a service's containers on the project's network, as nginx resolves the name. */
  async addresses(service: string): Promise<string[]> {
    const lines = await this.#inspect("{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", service);
    return lines.flatMap((line) => line.trim().split(" ")).filter(Boolean);
  }

  /** Waits until every container of the variant's services is healthy (or running, without a health check). */
  async waitHealthy(timeoutMs = 120_000): Promise<Record<string, string[]>> {
    const deadline = performance.now() + timeoutMs;
    let states: Record<string, string[]> = {};
    while (performance.now() < deadline) {
      states = await this.states();
      const ready = this.variant.services.every((name) => {
        const containers = states[name] ?? [];
        const expected = this.variant.replicas?.[name] ?? 1;
        return containers.length === expected && containers.every((state) => ["healthy", "running"].includes(state));
      });
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
