/**
 * The two attacks that need a real browser, in Chromium: an answer's Markdown image pointing at
 * `/chat?q=…` (the browser fetches it with the viewer's cookie on every render) starts nothing;
 * and another site sending a signed-in browser to `/login#token=<its own token>` does not make
 * the victim the attacker (login CSRF): the page asks, and the server refuses without the answer.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { fetchSimStats as simulatorStats } from "../../harness/client/sim-stats.ts";
import { internalUrl } from "../../harness/stack/spawn.ts";
import { launchBrowser } from "../browser/chat-page.ts";
import { ALICE, BOB, startTarget, type TargetApp } from "./setup.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

const modelCalls = async (app: TargetApp) => (await simulatorStats(internalUrl(app))).started;

/** A page of the app's own origin, signed in as alice through a sign-in link. */
async function signedInPage(app: TargetApp): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${app.url}/login#token=${ALICE}`);
  await page.waitForURL(`${app.url}/`);
  return page;
}

/** Renders an image of `src` in the page, as sanitized Markdown would, and waits until it has loaded or failed. */
async function renderImage(page: Page, src: string): Promise<void> {
  await page.evaluate(
    (url) =>
      new Promise<void>((resolve) => {
        const image = document.createElement("img");
        image.onload = image.onerror = () => resolve();
        image.src = url;
        document.body.append(image);
      }),
    src,
  );
}

async function imageAttack(app: TargetApp): Promise<number> {
  const page = await signedInPage(app);
  const before = await modelCalls(app);
  await renderImage(page, "/chat?q=%2Fsim%20tokens%3D1%0Astarted%20by%20an%20image");
  await Bun.sleep(300);
  await page.close();
  return (await modelCalls(app)) - before;
}

describe("an answer's image of /chat?q=", () => {
  test("starts no answer when the page renders it", async () => {
    const app = await startTarget();
    try {
      expect(await imageAttack(app)).toBe(0);
    } finally {
      await app.stop();
    }
  }, 30_000);

  test("negative control: with the Sec-Fetch-Dest check off, rendering it starts an answer", async () => {
    const app = await startTarget({}, { defencesOff: ["fetchDestination"] });
    try {
      expect(await imageAttack(app)).toBeGreaterThanOrEqual(1);
    } finally {
      await app.stop();
    }
  }, 30_000);
});

/** Another site: a page that sends the browser to the app's sign-in link carrying bob's token. */
function attackerSite(target: string) {
  return Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () =>
      new Response(`<script>location.href = ${JSON.stringify(`${target}/login#token=${BOB}`)}</script>`, {
        headers: { "content-type": "text/html" },
      }),
  });
}

/** Signs alice in, lets another site send her browser to bob's sign-in link, and says who she is after. */
async function loginCsrf(app: TargetApp): Promise<{ user: string; asked: string[] }> {
  const page = await signedInPage(app);
  const asked: string[] = [];
  // A person who did not ask to switch says no; Playwright would dismiss the dialog anyway.
  page.on("dialog", (dialog) => {
    asked.push(dialog.message());
    void dialog.dismiss();
  });
  // "localhost" is another site than "127.0.0.1" to the browser.
  const attacker = attackerSite(app.url);
  try {
    await page.goto(`http://localhost:${attacker.port}/`);
    await page.waitForURL(`${app.url}/`, { timeout: 10_000 });
    const user = await page.evaluate(async () => (await (await fetch("/api/session")).json()).user as string);
    return { user, asked };
  } finally {
    attacker.stop(true);
    await page.close();
  }
}

describe("another site's sign-in link over a signed-in browser", () => {
  test("the page asks, and the person who says no stays herself", async () => {
    const app = await startTarget();
    try {
      const { user, asked } = await loginCsrf(app);
      expect(user).toBe("alice");
      expect(asked).toEqual(["You are signed in as alice. Sign out and use this token instead?"]);
    } finally {
      await app.stop();
    }
  }, 30_000);

  test("negative control: with the server's check off, the victim silently becomes the attacker", async () => {
    const app = await startTarget({}, { defencesOff: ["sessionReplace"] });
    try {
      const { user, asked } = await loginCsrf(app);
      expect(user).toBe("bob");
      expect(asked).toEqual([]);
    } finally {
      await app.stop();
    }
  }, 30_000);
});
