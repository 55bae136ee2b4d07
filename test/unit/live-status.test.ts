/**
 * The live answer's status line is written a few times a second, not every frame: a change of
 * kind shows at once, a count held back shows when the interval ends even if nothing follows,
 * and an ended answer drops what was held (its final line takes the place).
 */
import { expect, test } from "bun:test";
import { LiveStatus } from "../../ui/live-status.ts";

const line = () => ({ textContent: "" }) as HTMLElement;
const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("the first status and every change of kind are written at once", () => {
  const element = line();
  const status = new LiveStatus(element);
  status.show("waiting", "Waiting for the first token");
  expect(element.textContent).toBe("Waiting for the first token");
  status.show("streaming", "Streaming · 1 tokens");
  expect(element.textContent).toBe("Streaming · 1 tokens");
  status.stop();
});

test("counts within the interval are held back, and the last one shows when it ends", async () => {
  const element = line();
  const status = new LiveStatus(element);
  status.show("streaming", "Streaming · 1 tokens");
  status.show("streaming", "Streaming · 2 tokens");
  status.show("streaming", "Streaming · 3 tokens");
  expect(element.textContent).toBe("Streaming · 1 tokens");
  await after(400);
  expect(element.textContent).toBe("Streaming · 3 tokens");
});

test("an ended answer drops the count held back", async () => {
  const element = line();
  const status = new LiveStatus(element);
  status.show("streaming", "Streaming · 1 tokens");
  status.show("streaming", "Streaming · 2 tokens");
  status.stop();
  await after(400);
  expect(element.textContent).toBe("Streaming · 1 tokens");
});
