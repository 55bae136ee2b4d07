/**
 * Screenshots of a finished conversation (its last answer in two versions), light and dark,
 * desktop and phone width, into test-results/; with UPDATE_SCREENSHOTS=1 also into
 * docs/screenshots/ (the README shows the light desktop one), so an ordinary test run leaves the
 * checkout as it was.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { type ChatSetup, finishedAnswer, openChat, resultsDir, send, startChatSetup } from "./chat-page.ts";

const docsDir = new URL("../../docs/", import.meta.url).pathname;

const answerWithCode = [
  "/echo Here is the smallest client for a Sluice stream:",
  "",
  "```ts",
  "const source = new EventSource(streamUrl);",
  'source.addEventListener("token", (event) => append(event.data));',
  'source.addEventListener("done", () => source.close());',
  "```",
  "",
  "- The browser **reconnects by itself** and sends `Last-Event-ID`.",
  "- The server replays only what was missed: nothing lost, nothing repeated.",
  "",
  "| transport | direction | resumes |",
  "|---|---|---|",
  "| SSE | server → browser | `Last-Event-ID` |",
  "| WebSocket | both ways | by hand |",
  "",
  "At $r$ tokens per second an answer of $n$ tokens takes $$t = t_{\\text{first}} + \\frac{n - 1}{r}.$$",
  "",
  "- [x] stream tokens",
  "- [ ] add a second model",
].join("\n");

let setup: ChatSetup;
let address = "";

beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "400", SIM_TTFT_MS: "50" });
  const { page, context } = await openChat(setup.browser, setup.url);
  for (const question of ["Plan a weekend in Lisbon", "Server-Sent Events or WebSockets?"]) {
    await send(page, `/sim tokens=12\n${question}`);
    await finishedAnswer(page);
    await page.click("#new-chat");
  }
  await send(page, "/sim tokens=48\nHow do I stream tokens to the browser?");
  await finishedAnswer(page);
  await send(page, answerWithCode);
  await finishedAnswer(page);
  // A second version of the last answer, so the pictures show `< 2/2 >` under it.
  await page.click("#thread .message.assistant:last-child button:has-text('Regenerate')", { timeout: 10_000 });
  await page.waitForFunction(
    () => document.querySelector("#thread .message.assistant:last-child .branch-position")?.textContent === "2/2",
  );
  await finishedAnswer(page);
  address = page.url();
  await context.close();
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

const shots = [
  { name: "light-desktop", colorScheme: "light", viewport: { width: 1280, height: 800 } },
  { name: "dark-desktop", colorScheme: "dark", viewport: { width: 1280, height: 800 } },
  { name: "light-phone", colorScheme: "light", viewport: { width: 390, height: 844 } },
  { name: "dark-phone", colorScheme: "dark", viewport: { width: 390, height: 844 } },
] as const;

for (const shot of shots) {
  test(`screenshot: ${shot.name}`, async () => {
    const { page, context, errors } = await openChat(setup.browser, address, shot);
    await page.waitForFunction(() => document.querySelectorAll("#thread .message.assistant[data-status]").length === 2);
    await page.waitForSelector("#thread pre code.hljs");
    // The composer and the newest answer fit without horizontal scrolling at phone width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(shot.viewport.width);
    await page.waitForSelector("#thread math");
    const path = `${resultsDir}chat-${shot.name}.png`;
    await page.screenshot({ path });
    expect(statSync(path).size).toBeGreaterThan(10_000);
    if (process.env.UPDATE_SCREENSHOTS === "1") {
      mkdirSync(`${docsDir}screenshots`, { recursive: true });
      copyFileSync(path, `${docsDir}screenshots/${shot.name}.png`);
    }
    expect(errors).toEqual([]);
    await context.close();
  }, 30_000);
}
