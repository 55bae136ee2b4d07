import { expect, test } from "bun:test";
import { titleFromMessage } from "../../src/conversations/title.ts";

test("a short message is its own title, on one line", () => {
  expect(titleFromMessage("  What is\nSSE?  ")).toBe("What is SSE?");
});

test("a long message is cut at a word boundary near 60 characters", () => {
  const title = titleFromMessage(
    "Explain how the browser's EventSource resumes a stream after the network drops, in detail",
  );
  expect(title).toBe("Explain how the browser's EventSource resumes a stream after…");
  expect(title.length).toBeLessThanOrEqual(61);
});

test("the simulator's directive line is not part of the title", () => {
  expect(titleFromMessage("/sim tps=10 tokens=5\nTell me a story")).toBe("Tell me a story");
});

test("an empty message still gives a title", () => {
  expect(titleFromMessage("   ")).toBe("Untitled");
});
