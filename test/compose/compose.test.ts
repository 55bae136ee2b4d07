/**
 * docker-compose.yml, live: the stand-in base images are built (once; deploy/stand-ins/), then each
 * variant of VARIANTS is brought up with `up -d --build`, checked through nginx's published port,
 * and taken down with `down -v`. Without a Docker engine every test is skipped, with the reason.
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
    pruneReplacedImages();
    await engine.stop();
  }, 60_000);

  for (const variant of VARIANTS) describe(variant.name, () => composeSuite(variant));
}
