/**
 * The nginx stand-in (deploy/stand-ins/nginx): Debian's nginx and envsubst on the base image, with
 * an entrypoint that renders templates as the official image documents.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BASE_TAG } from "./debian-base.ts";
import { build, imageId, inputsOf } from "./docker.ts";
import type { Pins } from "./pins.ts";

const context = new URL("../../deploy/stand-ins/nginx/", import.meta.url).pathname;

/** Every file of the build context, with its path, hashed in a stable order. */
function contextHash(): string {
  const hasher = new Bun.CryptoHasher("sha256");
  const files = readdirSync(context, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) hasher.update(`${file.slice(context.length)}\0`).update(readFileSync(file));
  hasher.update(imageId(BASE_TAG));
  return hasher.digest("hex").slice(0, 32);
}

/** Builds the nginx stand-in under the tag docker-compose.yml pins, unless it is up to date. */
export async function ensureNginxImage(pins: Pins): Promise<"built" | "current" | "real"> {
  const inputs = contextHash();
  const existing = inputsOf(pins.nginxTag);
  if (existing === "") return "real";
  if (existing === inputs) return "current";
  // apt-get downloads Debian's packages: the host's network reaches the mirror on any engine.
  await build({ context, tags: [pins.nginxTag], buildArgs: { BASE_IMAGE: BASE_TAG }, inputs, hostNetwork: true });
  return "built";
}
