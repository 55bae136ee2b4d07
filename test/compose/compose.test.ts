/**
 * docker-compose.yml, live: the stand-in base images are built (once; deploy/stand-ins/), then each
 * variant of VARIANTS is brought up (the first with `up -d --build`), checked through nginx's
 * published port, and taken down with `down -v`. Without a Docker engine every test is skipped, with the reason.
 */
import { afterAll, beforeAll, describe, test } from "bun:test";
import { buildStandInImages } from "../../scripts/stand-in-images.ts";
import { startEngine } from "./engine.ts";
import { pruneReplacedImages } from "./project.ts";
import { composeSuite } from "./suite.ts";
import { VARIANTS } from "./variants.ts";

const engine = await startEngine();

if (!engine.available) {
  console.warn(`compose tests SKIPPED: ${engine.reason}`);
  test.skip(`docker-compose up (no Docker engine: ${engine.reason.split("\n")[0]})`, () => {});
} else {
  beforeAll(async () => {
    const began = performance.now();
    await buildStandInImages();
    console.log(`stand-in images ready in ${((performance.now() - began) / 1_000).toFixed(1)} s`);
  }, 600_000);

  afterAll(async () => {
    // Deleting an image on vfs deletes a whole file-system copy per layer: minutes on a busy machine.
    pruneReplacedImages();
    await engine.stop();
  }, 600_000);

  // The first variant builds the app's image; the others run that same image. Building it again
  // would be all cache hits, yet the classic builder on vfs spends ~80 s per service on them
  // (measured: `docker-compose build app` with every step cached).
  VARIANTS.forEach((variant, index) => {
    describe(variant.name, () => composeSuite(variant, index === 0));
  });
}
