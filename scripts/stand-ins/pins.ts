// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${BUN_VERSION}" is the Dockerfile's variable, not a template literal.
/**
 * The base images as Sluice pins them: deploy/docker/Dockerfile's BUN_VERSION and the images of
 * the nginx, redis and postgres services in docker-compose.yml. The stand-ins are tagged from these, so the two files are
 * built and run unchanged.
 */
import { readFileSync } from "node:fs";
import { StandInError } from "./docker.ts";

const root = new URL("../../", import.meta.url).pathname;

export interface Pins {
  /** e.g. "1.4.5": tags oven/bun:1.4.5 and oven/bun:1.4.5-slim. */
  bunVersion: string;
  bunTags: string[];
  /** e.g. "nginx:1.30". */
  nginxTag: string;
  /** e.g. "redis:7.4" (the scale profile). */
  redisTag: string;
  /** e.g. "postgres:17" (the scale profile). */
  postgresTag: string;
}

/** The images a Dockerfile's stages start from, each once; a stage built on an earlier stage names none. */
export function baseImages(dockerfile: string): string[] {
  const images = new Set<string>();
  const stages = new Set<string>();
  for (const [, image = "", stage] of dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)) {
    if (!stages.has(image)) images.add(image);
    if (stage) stages.add(stage);
  }
  return [...images];
}

/** Reads the pins; throws `pin_missing` when a file no longer has one. */
export function readPins(): Pins {
  const dockerfile = readFileSync(`${root}deploy/docker/Dockerfile`, "utf8");
  const bunVersion = dockerfile.match(/^ARG BUN_VERSION=(\S+)$/m)?.[1];
  if (!bunVersion) throw new StandInError("pin_missing", "deploy/docker/Dockerfile: no ARG BUN_VERSION=…");
  const bunTags = baseImages(dockerfile).map((image) => image.replace("${BUN_VERSION}", bunVersion));
  const compose = Bun.YAML.parse(readFileSync(`${root}docker-compose.yml`, "utf8")) as {
    services: Record<string, { image?: string }>;
  };
  const imageOf = (name: string): string => {
    const image = compose.services[name]?.image;
    if (!image) throw new StandInError("pin_missing", `docker-compose.yml: the ${name} service names no image`);
    return image;
  };
  return {
    bunVersion,
    bunTags,
    nginxTag: imageOf("nginx"),
    redisTag: imageOf("redis"),
    postgresTag: imageOf("postgres"),
  };
}
