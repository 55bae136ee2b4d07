/**
 * docker-compose.yml as Docker Compose itself resolves it (`docker-compose config`), parsed, for
 * static checks that need no Docker engine.
 */
import { spawnSync, which } from "bun";

const root = new URL("../../", import.meta.url).pathname;

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  volumes?: (string | { type: string; source: string; target: string })[];
  tmpfs?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  stop_grace_period?: string;
  secrets?: { source: string }[];
  ports?: (string | { published: number | string; target: number })[];
  expose?: string[];
}

export interface ComposeConfig {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file: string }>;
  volumes?: Record<string, unknown>;
}

/** The docker-compose binary: Compose v1 (Debian's package) or v2 through docker. */
export function composeCommand(): string[] | undefined {
  const v1 = which("docker-compose");
  if (v1) return [v1];
  const docker = which("docker");
  if (docker && spawnSync([docker, "compose", "version"]).success) return [docker, "compose"];
  return undefined;
}

// Compose v1 takes about a second to start; each distinct call runs once per test file.
const cache = new Map<string, ComposeConfig>();

/** Runs `docker-compose <args> config` in the repository; throws with Compose's message on failure. */
export function composeConfig(args: string[] = [], env: Record<string, string> = {}): ComposeConfig {
  const key = JSON.stringify([args, env]);
  const cached = cache.get(key);
  if (cached) return structuredClone(cached);
  const command = composeCommand();
  if (!command) throw new Error("docker-compose is not installed (Debian: apt-get install docker-compose)");
  // Only what Compose needs: an ambient UPSTREAM_BASE_URL or MODEL would change the result.
  const result = spawnSync([...command, ...args, "config"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stderr: "pipe",
  });
  if (!result.success) throw new Error(`docker-compose config failed:\n${result.stderr.toString()}`);
  const config = Bun.YAML.parse(result.stdout.toString()) as ComposeConfig;
  cache.set(key, config);
  return structuredClone(config);
}

/** A service that must exist, for tests. */
export function service(config: ComposeConfig, name: string): ComposeService {
  const found = config.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}
