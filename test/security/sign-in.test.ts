/**
 * Signing in, as a guesser and as another site would try it: wrong tokens are throttled per
 * address and per named user (429 with Retry-After, logged without the token), bearer tokens
 * alike; weak tokens stop the start; session cookies verify as the exact text issued; a sign-in
 * never silently replaces another signed-in user. Each with its negative control.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rawRequest } from "./raw-http.ts";
import { ALICE, BOB, startTarget, type TargetApp } from "./setup.ts";

const WRONG = "not-a-token-of-this-server-000";

/** POST /api/session from `localAddress` (any of 127.0.0.0/8: another client to the server). */
function signIn(app: TargetApp, token: string, localAddress = "127.0.0.1", extra: Record<string, unknown> = {}) {
  const body = JSON.stringify({ token, ...extra });
  const headers = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) };
  return rawRequest(app.port, "/api/session", { method: "POST", headers, body, localAddress });
}

function header(head: string, name: string): string | undefined {
  return new RegExp(`^${name}: *(.*)$`, "im").exec(head)?.[1]?.trim();
}

describe("failed sign-ins are throttled", () => {
  let app: TargetApp;
  beforeAll(async () => {
    app = await startTarget({ SIGN_IN_FAILURES_PER_MINUTE: "3" });
  });
  afterAll(() => app?.stop());

  test("per address: 429 with Retry-After past the limit, even for a right token; others unaffected", async () => {
    for (let attempt = 0; attempt < 3; attempt++) expect((await signIn(app, WRONG, "127.0.0.10")).status).toBe(401);
    const refused = await signIn(app, ALICE, "127.0.0.10");
    expect(refused.status).toBe(429);
    expect(Number(header(refused.head, "retry-after"))).toBeGreaterThan(30);
    expect(JSON.parse(refused.body).error.code).toBe("too_many_sign_ins");
    expect((await signIn(app, ALICE, "127.0.0.11")).status).toBe(200);
  });

  test("wrong bearer tokens count too, and are refused before they are looked at", async () => {
    const bearer = (token: string) =>
      rawRequest(app.port, "/api/conversations", {
        headers: { authorization: `Bearer ${token}` },
        localAddress: "127.0.0.12",
      });
    for (let attempt = 0; attempt < 3; attempt++) expect((await bearer(WRONG)).status).toBe(401);
    expect((await bearer(ALICE)).status).toBe(429);
  });

  test("per named user: `alice:<guess>` attempts lock alice's named sign-in from every address", async () => {
    for (const address of ["127.0.0.20", "127.0.0.21", "127.0.0.22"])
      expect((await signIn(app, `alice:${WRONG}`, address)).status).toBe(401);
    expect((await signIn(app, `alice:${ALICE}`, "127.0.0.23")).status).toBe(429);
    // Her token alone still works: naming a user is what is throttled per name.
    expect((await signIn(app, ALICE, "127.0.0.23")).status).toBe(200);
  });

  test("each failure is logged with the address, never with the token", () => {
    const lines = app
      .output()
      .split("\n")
      .filter((line) => line.includes("authentication failed"));
    expect(lines.length).toBeGreaterThanOrEqual(9);
    expect(lines.join("\n")).toContain("127.0.0.10");
    expect(app.output()).not.toContain(WRONG);
  });
});

test("negative control: with the throttle off, a guesser keeps getting answers", async () => {
  const app = await startTarget({ SIGN_IN_FAILURES_PER_MINUTE: "3" }, { defencesOff: ["signInThrottle"] });
  try {
    for (let attempt = 0; attempt < 6; attempt++) expect((await signIn(app, WRONG)).status).toBe(401);
    expect((await signIn(app, ALICE)).status).toBe(200);
  } finally {
    await app.stop();
  }
});

describe("weak tokens stop the start", () => {
  test("a token of too few different characters is refused with a message naming its user", async () => {
    const start = startTarget({ AUTH_TOKENS: `alice:${ALICE},eve:aaaaaaaaaaaaaaaaaaaa` });
    await expect(start).rejects.toThrow(/AUTH_TOKENS: the token of "eve" has only 1 different characters/);
  });

  test("negative control: with the check off, the same token signs in", async () => {
    const app = await startTarget({ AUTH_TOKENS: "eve:abababababababab" }, { defencesOff: ["tokenStrength"] });
    try {
      expect((await signIn(app, "abababababababab")).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});

/** A session cookie of alice's, and variants of it that name the same signature. */
async function sessionVariants(app: TargetApp): Promise<{ cookie: string; variants: string[] }> {
  const response = await signIn(app, ALICE, "127.0.0.30");
  const value = /sluice_session=([^;]+)/.exec(response.head)?.[1] as string;
  const last = value.at(-1) as string;
  // base64url's last character of a 32-byte value carries 4 bits and 2 spare ones: 4 spellings.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const index = alphabet.indexOf(last);
  const siblings = [0, 1, 2, 3].map((spare) => alphabet[(index & ~3) | spare] as string).filter((c) => c !== last);
  return {
    cookie: value,
    variants: [
      `${value}.`,
      `${value}AAAA`,
      `${value}==`,
      `${value}%00`,
      ...siblings.map((c) => value.slice(0, -1) + c),
    ],
  };
}

async function sessionStatus(app: TargetApp, value: string): Promise<number> {
  return (await rawRequest(app.port, "/api/conversations", { headers: { cookie: `sluice_session=${value}` } })).status;
}

describe("sessions verify strictly", () => {
  test("trailing junk and last-character variants of a real signature are refused", async () => {
    const app = await startTarget();
    try {
      const { cookie, variants } = await sessionVariants(app);
      expect(await sessionStatus(app, cookie)).toBe(200);
      for (const variant of variants) expect([variant, await sessionStatus(app, variant)]).toEqual([variant, 401]);
    } finally {
      await app.stop();
    }
  });

  test("negative control: compared as decoded bytes, the variants are accepted", async () => {
    const app = await startTarget({}, { defencesOff: ["strictSessions"] });
    try {
      const { variants } = await sessionVariants(app);
      const accepted = [];
      for (const variant of variants) if ((await sessionStatus(app, variant)) === 200) accepted.push(variant);
      expect(accepted.length).toBeGreaterThanOrEqual(3);
    } finally {
      await app.stop();
    }
  });
});

/** Signs in as alice, then posts bob's token with alice's cookie, as /login#token=<bob's> would. */
async function replaceAttempt(app: TargetApp, extra: Record<string, unknown> = {}) {
  const first = await signIn(app, ALICE, "127.0.0.40");
  const cookie = /sluice_session=[^;]+/.exec(first.head)?.[0] as string;
  const body = JSON.stringify({ token: BOB, ...extra });
  const headers = { "content-type": "application/json", cookie, "content-length": String(Buffer.byteLength(body)) };
  return rawRequest(app.port, "/api/session", { method: "POST", headers, body, localAddress: "127.0.0.40" });
}

describe("a sign-in never silently replaces another signed-in user", () => {
  let app: TargetApp;
  beforeAll(async () => {
    app = await startTarget();
  });
  afterAll(() => app?.stop());

  test("another user's token over a session: 409 naming who is signed in, and no new cookie", async () => {
    const response = await replaceAttempt(app);
    expect(response.status).toBe(409);
    expect(JSON.parse(response.body).error).toMatchObject({ code: "signed_in_as_other", user: "alice" });
    expect(header(response.head, "set-cookie")).toBeUndefined();
  });

  test("with replace: true (the page sends it only after asking), the switch happens", async () => {
    const response = await replaceAttempt(app, { replace: true });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).user).toBe("bob");
  });

  test("negative control: with the check off, the other user's token silently replaces alice", async () => {
    const open = await startTarget({}, { defencesOff: ["sessionReplace"] });
    try {
      const response = await replaceAttempt(open);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body).user).toBe("bob");
    } finally {
      await open.stop();
    }
  });
});

describe("under AUTH=none, only this machine's names are answered unless ALLOWED_HOSTS says otherwise", () => {
  const status = async (app: TargetApp, host: string) =>
    (await rawRequest(app.port, "/api/session", { host, headers: { origin: `http://${host}` } })).status;

  test("a foreign Host (DNS rebinding) gets 421; localhost, 127.0.0.1 and [::1] are answered", async () => {
    const app = await startTarget({ AUTH: "none" });
    try {
      expect(await status(app, "rebind.evil.example")).toBe(421);
      expect(await status(app, "192.168.1.20:3000")).toBe(421);
      for (const host of ["localhost", "127.0.0.1", `127.0.0.1:${app.port}`, "[::1]"])
        expect([host, await status(app, host)]).toEqual([host, 200]);
    } finally {
      await app.stop();
    }
  });

  test("ALLOWED_HOSTS replaces the default; with a token mode there is no default", async () => {
    const listed = await startTarget({ AUTH: "none", ALLOWED_HOSTS: "chat.example" });
    const tokens = await startTarget();
    try {
      expect(await status(listed, "chat.example")).toBe(200);
      expect(await status(listed, "localhost")).toBe(421);
      expect(await status(tokens, "rebind.evil.example")).toBe(401);
    } finally {
      await Promise.all([listed.stop(), tokens.stop()]);
    }
  });

  test("negative control: with the default off, the foreign Host reads as the local user", async () => {
    const app = await startTarget({ AUTH: "none" }, { defencesOff: ["loopbackHosts"] });
    try {
      expect(await status(app, "rebind.evil.example")).toBe(200);
    } finally {
      await app.stop();
    }
  });
});
