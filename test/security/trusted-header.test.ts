/**
 * AUTH=trusted-header believes the user header only from the authenticating proxy's addresses:
 * the same header from anywhere else is ignored.
 */
import { expect, test } from "bun:test";
import { startTarget } from "./setup.ts";

const asAlice = { "x-forwarded-user": "alice" };

test("a forged X-Forwarded-User from a non-proxy address gets 401", async () => {
  const app = await startTarget({ AUTH: "trusted-header", AUTH_TRUSTED_PROXIES: "10.0.0.0/8,fd00::/8" });
  try {
    expect((await fetch(`${app.url}/api/conversations`, { headers: asAlice })).status).toBe(401);
    expect((await fetch(`${app.url}/api/session`, { headers: asAlice })).status).toBe(401);
  } finally {
    await app.stop();
  }
});

test("negative control: from a listed proxy address, the same header signs Alice in", async () => {
  const app = await startTarget({ AUTH: "trusted-header", AUTH_TRUSTED_PROXIES: "127.0.0.1/32,::1" });
  try {
    const session = await fetch(`${app.url}/api/session`, { headers: asAlice });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ user: "alice", mode: "trusted-header", canSignOut: false });
    // A user name that could confuse logs or keys is not believed even from the proxy.
    expect((await fetch(`${app.url}/api/session`, { headers: { "x-forwarded-user": "a b\tc" } })).status).toBe(401);
  } finally {
    await app.stop();
  }
});

test("the app refuses to start in trusted-header mode without the proxy's addresses", async () => {
  await expect(startTarget({ AUTH: "trusted-header" })).rejects.toThrow(/AUTH_TRUSTED_PROXIES/);
});
