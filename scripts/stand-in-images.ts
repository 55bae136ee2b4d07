/**
 * Builds local stand-ins for the base images Sluice pins (the official Bun image, with its -slim
 * variant, and the official nginx, Redis and PostgreSQL images), for a Docker engine that cannot pull from a public
 * image registry: the compose tests' machines. Tagged exactly as deploy/docker/Dockerfile and
 * docker-compose.yml pin them, so both files are used unchanged. A real deployment pulls the real
 * images; deploy/stand-ins/ says what each stand-in reproduces.
 *
 *   bun scripts/stand-in-images.ts     (as root: debootstrap makes the Debian root filesystem)
 *
 * An image whose inputs did not change is not built again (its label records them), and a tag
 * that holds a real image, pulled or loaded, is left alone.
 */
import { ensureBunImage } from "./stand-ins/bun-image.ts";
import { ensureDebianBase } from "./stand-ins/debian-base.ts";
import { requireEngine, StandInError } from "./stand-ins/docker.ts";
import { ensurePackageImage } from "./stand-ins/package-image.ts";
import { readPins } from "./stand-ins/pins.ts";

const describe = { built: "built", current: "up to date", real: "a real image, left alone" };

/** Builds whatever is missing or stale; logs one line per image with its time. */
export async function buildStandInImages(): Promise<void> {
  requireEngine();
  const pins = readPins();
  const steps: [string, () => Promise<keyof typeof describe>][] = [
    ["Debian base", async () => ((await ensureDebianBase()) ? "built" : "current")],
    [pins.bunTags.join(", "), () => ensureBunImage(pins)],
    [pins.nginxTag, () => ensurePackageImage("nginx", pins.nginxTag)],
    [pins.redisTag, () => ensurePackageImage("redis", pins.redisTag)],
    [pins.postgresTag, () => ensurePackageImage("postgres", pins.postgresTag)],
  ];
  for (const [name, step] of steps) {
    const began = performance.now();
    const outcome = await step();
    console.log(`stand-in ${name}: ${describe[outcome]} (${((performance.now() - began) / 1000).toFixed(1)} s)`);
  }
}

if (import.meta.main) {
  try {
    await buildStandInImages();
  } catch (error) {
    if (!(error instanceof StandInError)) throw error;
    console.error(`stand-in images: ${error.message} [${error.code}]`);
    process.exit(1);
  }
}
