/**
 * What a user of `docker-compose up` relies on, checked live through the published nginx port for
 * one variant (profiles, env file) of the shipped docker-compose.yml, from `up --build` to `down -v`.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { waitFor } from "../../harness/client/poll.ts";
import { paced } from "../../harness/client/sim-prompt.ts";
import type { ReceivedEvent } from "../../harness/client/stream.ts";
import { contentSecurityPolicyValue } from "../../src/http/csp.ts";
import { checkStreaming } from "../e2e/streaming-checks.ts";
import { callSluice, httpPort, readEvents, sluiceRequest, startStream, useAccessToken } from "./client.ts";
import { modelStats, waitForModel } from "./model-stats.ts";
import { startBunchingNginx } from "./negative-control.ts";
import { ComposeProject, type ComposeVariant, PROJECT } from "./project.ts";

// 40 tokens at 20 per second: about 2 s from the first to the last.
const FAST = { tokens: 40, tps: 20 };
const tokenEvents = (events: ReceivedEvent[], name: string) => events.filter((event) => event.event === name);
/** /chat?q= sends the tokens as default events (no `event:` field), then `done` with [DONE]. */
const answerTokens = (events: ReceivedEvent[]) =>
  events.filter((event) => event.event === undefined && event.data !== "[DONE]");

/**
 * The suite for one variant: brings the project up before (`up -d --build` when `build`, else `up
 * -d` with the image an earlier variant built from this checkout), takes it down after.
 */
export function composeSuite(variant: ComposeVariant, build: boolean): void {
  const project = new ComposeProject(variant);

  beforeAll(async () => {
    await project.down(); // whatever a crashed earlier run left
    const began = performance.now();
    const scale = Object.entries(variant.replicas ?? {}).flatMap(([name, count]) => ["--scale", `${name}=${count}`]);
    await project.must(["up", "-d", ...(build ? ["--build"] : []), ...scale], 900_000);
    const built = performance.now();
    await project.waitHealthy();
    // The token the app made at its first start, kept in the data volume (no AUTH in the file).
    useAccessToken((await project.exec("app", ["cat", "/data/access-token"])).trim());
    const seconds = (from: number, to: number) => ((to - from) / 1_000).toFixed(1);
    console.log(
      `${variant.name}: up${build ? " --build" : ""} ${seconds(began, built)} s, healthy ${seconds(built, performance.now())} s later`,
    );
  }, 1_200_000);

  afterAll(async () => {
    await project.down();
  }, 180_000);

  test("every service is up and healthy, each container of it", async () => {
    const states = await project.states();
    for (const name of variant.services) {
      const expected = name === "nginx" ? "running" : "healthy";
      expect(states[name], name).toEqual(Array(variant.replicas?.[name] ?? 1).fill(expected));
    }
  });

  test("the chat page loads, with its Content-Security-Policy, and its script", async () => {
    const page = await sluiceRequest("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toBe(contentSecurityPolicyValue);
    const scripts = [...(await page.text()).matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1] as string);
    expect(scripts.length).toBeGreaterThan(0);
    const lengths: number[] = [];
    for (const script of scripts) {
      const asset = await sluiceRequest(new URL(script, "http://x/").pathname);
      expect(asset.status, script).toBe(200);
      lengths.push((await asset.text()).length);
    }
    // The theme script is tiny on purpose; the app's bundle is the large one.
    expect(Math.max(...lengths)).toBeGreaterThan(1_000);
  });

  test("/chat?q= streams token by token; a bunching nginx fails the same check", async () => {
    const path = `/chat?q=${encodeURIComponent(paced(FAST.tokens, FAST.tps))}`;
    const stream = await readEvents(path);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-encoding")).toBeNull();
    const verdict = checkStreaming(answerTokens(stream.events), FAST);
    expect(verdict.ok, verdict.detail).toBe(true);
    // The negative control: the same image and templates, rendered with buffering on, the app's
    // X-Accel-Buffering ignored and gzip on event streams.
    const control = await startBunchingNginx(project);
    try {
      const bunched = await readEvents(path, { port: control.port });
      const controlVerdict = checkStreaming(answerTokens(bunched.events), FAST);
      expect(controlVerdict.ok, controlVerdict.detail).toBe(false);
    } finally {
      await control.stop();
    }
  }, 120_000);

  test("a dropped stream resumes with no gap and no repeat, and no second model call", async () => {
    const before = await modelStats(project);
    const path = await startStream(paced(30, FAST.tps));
    const first = await readEvents(path, { closeWhen: (_, events) => tokenEvents(events, "token").length >= 10 });
    expect(first.ended).toBe("left");
    const lastId = first.events.at(-1)?.id;
    const rest = await readEvents(path, { lastEventId: lastId });
    const whole = await readEvents(path);
    const ids = [...first.events, ...rest.events].map((event) => Number(event.id));
    expect(ids).toEqual(whole.events.map((event) => Number(event.id)));
    const text = (events: ReceivedEvent[]) =>
      tokenEvents(events, "token")
        .map((event) => event.data)
        .join("");
    expect(text(first.events) + text(rest.events)).toBe(text(whole.events));
    expect(tokenEvents(whole.events, "token")).toHaveLength(30);
    expect((await modelStats(project)).started).toBe(before.started + 1);
  }, 60_000);

  test("Stop reaches the model: its call is cancelled mid-answer", async () => {
    const before = await modelStats(project);
    // 200 tokens at 10 per second: 20 s, which Stop must cut short.
    const path = await startStream(paced(200, 10));
    let stopped: Promise<Response> | undefined;
    const stream = await readEvents(path, {
      onEvent: (event) => {
        if (event.event === "token" && event.id === "3") stopped = sluiceRequest(path, { method: "DELETE" });
      },
    });
    expect((await stopped)?.ok).toBe(true);
    const done = tokenEvents(stream.events, "done")[0];
    expect(JSON.parse(done?.data ?? "{}").finish_reason).toBe("cancelled");
    expect(tokenEvents(stream.events, "token").length).toBeLessThan(50);
    const after = await waitForModel(project, "a cancelled call", (stats) => stats.cancelled > before.cancelled);
    expect(after.cancelled).toBe(before.cancelled + 1);
    expect(after.cancellations.at(-1)?.tokens_sent).toBeLessThan(50);
  }, 60_000);

  test("sign-in with the link the app prints at start; nothing without it", async () => {
    const token = (await project.exec("app", ["cat", "/data/access-token"])).trim();
    const logs = await project.must(["logs", "--no-color", "app"], 30_000);
    expect(logs).toContain(`/login#token=${token}`);
    const anonymous = { headers: { authorization: "Bearer not-the-token-of-this-server" } };
    expect((await sluiceRequest("/api/conversations", anonymous)).status).toBe(401);
    expect((await sluiceRequest("/login", { headers: { cookie: "" } })).status).toBe(200);
    const signIn = await sluiceRequest("/api/session", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "" },
      body: JSON.stringify({ token }),
    });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect(cookie).toStartWith("sluice_session=");
    expect((await sluiceRequest("/api/conversations", { headers: { cookie } })).status).toBe(200);
  }, 60_000);

  // The variant's own checks, before the restart below (after which a container may have a new address).
  variant.checks?.(project);

  test("conversations survive docker-compose restart app (the named volume)", async () => {
    const title = `kept across a restart ${crypto.randomUUID()}`;
    const created = await callSluice("POST", "/api/conversations", { title });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    await project.must(["restart", "app"], 60_000);
    await project.waitHealthy();
    const kept = await waitForAnswer(`/api/conversations/${id}`);
    expect(kept.status).toBe(200);
    expect(((await kept.json()) as { title: string }).title).toBe(title);
    // The check can fail: an id that was never stored is not found.
    expect((await sluiceRequest(`/api/conversations/${crypto.randomUUID()}`)).status).toBe(404);
  }, 120_000);

  test("down -v leaves no container, network or volume of the project", async () => {
    await project.down();
    const left = Bun.spawnSync(["docker", "ps", "-aq", "--filter", `label=com.docker.compose.project=${PROJECT}`]);
    expect(left.stdout.toString().trim()).toBe("");
    const volumes = Bun.spawnSync([
      "docker",
      "volume",
      "ls",
      "-q",
      "--filter",
      `label=com.docker.compose.project=${PROJECT}`,
    ]);
    expect(volumes.stdout.toString().trim()).toBe("");
    expect(await sluiceRequest("/healthz").catch(() => "refused")).toBe("refused");
  }, 180_000);
}

/** The first answer that is not nginx's 502 while the app comes back; bounded. */
function waitForAnswer(path: string, timeoutMs = 30_000): Promise<Response> {
  const answer = async () => {
    const response = await sluiceRequest(path).catch(() => undefined);
    return response?.status === 502 ? undefined : response;
  };
  return waitFor(`${path} to answer through nginx`, answer, timeoutMs, 500);
}

export { httpPort };
