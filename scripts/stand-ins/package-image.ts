/**
 * The stand-ins made of Debian packages on the base image (deploy/stand-ins/nginx, redis and
 * postgres): each is the docker build of its folder, whose Dockerfile installs the packages and
 * whose entrypoint does what the official image's documentation describes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BASE_TAG } from "./debian-base.ts";
import { build, imageId, inputsOf } from "./docker.ts";

const standIns = new URL("../../deploy/stand-ins/", import.meta.url).pathname;

/** The stand-ins built this way, by folder name under deploy/stand-ins/. */
export type PackageStandIn = "nginx" | "redis" | "postgres";

/** Every file of the build context, with its path, hashed in a stable order, and the base's ID. */
function contextHash(context: string): string {
  const hasher = new Bun.CryptoHasher("sha256");
  const files = readdirSync(context, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) hasher.update(`${file.slice(context.length)}\0`).update(readFileSync(file));
  hasher.update(imageId(BASE_TAG));
  return hasher.digest("hex").slice(0, 32);
}

/** Builds deploy/stand-ins/<name> under `tag` (as docker-compose.yml pins it), unless it is up to date. */
export async function ensurePackageImage(name: PackageStandIn, tag: string): Promise<"built" | "current" | "real"> {
  const context = join(standIns, name, "/");
  const inputs = contextHash(context);
  const existing = inputsOf(tag);
  if (existing === "") return "real";
  if (existing === inputs) return "current";
  // apt-get downloads Debian's packages: the host's network reaches the mirror on any engine.
  await build({ context, tags: [tag], buildArgs: { BASE_IMAGE: BASE_TAG }, inputs, hostNetwork: true });
  return "built";
}
