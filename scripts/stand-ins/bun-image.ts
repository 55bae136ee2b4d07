/**
 * The Bun stand-in (deploy/stand-ins/bun): the base image plus the `bun` binary of the npm package
 * this checkout installed, which must be the version deploy/docker/Dockerfile pins.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "bun";
import { BASE_TAG } from "./debian-base.ts";
import { build, imageId, inputsOf, StandInError } from "./docker.ts";
import type { Pins } from "./pins.ts";

const root = new URL("../../", import.meta.url).pathname;
const recipe = `${root}deploy/stand-ins/bun/Dockerfile`;
// The machine's trust store, when it has one: on a network that inspects TLS, `bun install` in the
// app's build reaches the package registry only with the machine's own authority trusted.
const HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** The binary behind node_modules/.bin/bun (the npm package's platform build), checked against the pin. */
function bunBinary(version: string): string {
  const link = `${root}node_modules/.bin/bun`;
  if (!existsSync(link)) throw new StandInError("bun_mismatch", "node_modules/.bin/bun is missing: run npm ci");
  const binary = realpathSync(link);
  const actual = spawnSync([binary, "--version"]).stdout.toString().trim();
  if (actual !== version) {
    throw new StandInError("bun_mismatch", `the Dockerfile pins Bun ${version}, node_modules has ${actual}`);
  }
  return binary;
}

function fileHash(hasher: Bun.CryptoHasher, path: string): void {
  hasher.update(existsSync(path) ? readFileSync(path) : "absent");
}

/** Builds the Bun stand-in under every tag the Dockerfile uses, unless it is up to date. */
export async function ensureBunImage(pins: Pins): Promise<"built" | "current" | "real"> {
  const binary = bunBinary(pins.bunVersion);
  const hasher = new Bun.CryptoHasher("sha256");
  for (const path of [recipe, binary, HOST_CA_BUNDLE]) fileHash(hasher, path);
  hasher.update(imageId(BASE_TAG));
  const inputs = hasher.digest("hex").slice(0, 32);
  const existing = pins.bunTags.map(inputsOf);
  if (existing.includes("")) return "real";
  if (existing.every((found) => found === inputs)) return "current";
  const context = mkdtempSync(join(tmpdir(), "sluice-bun-stand-in-"));
  try {
    copyFileSync(recipe, join(context, "Dockerfile"));
    copyFileSync(binary, join(context, "bun"));
    if (existsSync(HOST_CA_BUNDLE)) copyFileSync(HOST_CA_BUNDLE, join(context, "ca-certificates.crt"));
    else await Bun.write(join(context, "ca-certificates.crt"), "");
    await build({ context, tags: pins.bunTags, buildArgs: { BASE_IMAGE: BASE_TAG }, inputs });
    return "built";
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
