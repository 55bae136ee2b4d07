/**
 * The OIDC sign-in driven over HTTP, as a browser would go through it, with a cookie jar per
 * origin: Sluice's /oidc/login, the provider's redirects (the account named by `login_hint`
 * signs in at once), up to the redirect back to Sluice's callback, which the test then sends as
 * it is, or tampered with.
 */

/** Cookies by origin; expiry is ignored (a provider with a skewed clock sets odd dates). */
export class CookieJar {
  readonly #byOrigin = new Map<string, Map<string, string>>();

  store(url: string, response: Response): void {
    const origin = new URL(url).origin;
    const cookies = this.#byOrigin.get(origin) ?? new Map<string, string>();
    this.#byOrigin.set(origin, cookies);
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /max-age=0\b/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
  }

  header(url: string): string {
    const cookies = this.#byOrigin.get(new URL(url).origin) ?? new Map();
    return [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  get(url: string, name: string): string | undefined {
    return this.#byOrigin.get(new URL(url).origin)?.get(name);
  }

  set(url: string, name: string, value: string): void {
    const origin = new URL(url).origin;
    const cookies = this.#byOrigin.get(origin) ?? new Map<string, string>();
    cookies.set(name, value);
    this.#byOrigin.set(origin, cookies);
  }
}

/** GET `url` with the jar's cookies, no redirect followed; the jar keeps what it sets. */
export async function visit(url: string, jar: CookieJar, headers: Record<string, string> = {}): Promise<Response> {
  const cookie = jar.header(url);
  const response = await fetch(url, {
    redirect: "manual",
    headers: { ...headers, ...(cookie ? { cookie } : {}) },
    signal: AbortSignal.timeout(15_000),
  });
  jar.store(url, response);
  return response;
}

function locationOf(response: Response, from: string): string {
  const location = response.headers.get("location");
  if (!location || response.status < 300 || response.status > 399)
    throw new Error(`expected a redirect from ${from}, got ${response.status}`);
  return new URL(location, from).href;
}

export interface StartedSignIn {
  jar: CookieJar;
  /** The provider's redirect back to Sluice: `<PUBLIC_URL>/oidc/callback?code=…&state=…&iss=…`. */
  callbackUrl: string;
}

/**
 * Starts a sign-in at Sluice (`base`: its public URL; `returnTo`: where it should return) and goes
 * through the provider as `account`, stopping at the redirect back to Sluice's callback.
 */
export async function signInAtProvider(
  base: string,
  account: string,
  { jar = new CookieJar(), returnTo }: { jar?: CookieJar; returnTo?: string } = {},
): Promise<StartedSignIn> {
  const start = `${base}/oidc/login${returnTo === undefined ? "" : `?return=${encodeURIComponent(returnTo)}`}`;
  const authorize = new URL(locationOf(await visit(start, jar), start));
  authorize.searchParams.set("login_hint", account);
  let url = authorize.href;
  for (let hop = 0; hop < 10; hop++) {
    const next = locationOf(await visit(url, jar), url);
    if (next.startsWith(`${base}/oidc/callback`)) return { jar, callbackUrl: next };
    url = next;
  }
  throw new Error("the provider did not send the browser back within 10 redirects");
}

/** The whole sign-in as `account`: Sluice's answer to the callback. */
export async function signInThroughProvider(
  base: string,
  account: string,
): Promise<{ jar: CookieJar; response: Response }> {
  const { jar, callbackUrl } = await signInAtProvider(base, account);
  return { jar, response: await visit(callbackUrl, jar) };
}
