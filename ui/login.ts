/**
 * The sign-in page: exchanges an access token for a session cookie. A sign-in link carries the
 * token in the fragment (`/login#token=…`), which browsers never send to a server or a proxy's
 * log; the page reads it, signs in, and removes it from the address bar. Under AUTH=oidc (the
 * server marks the page's body `data-auth="oidc"`) it offers the provider's sign-in instead, and
 * says why a sign-in there was refused.
 */

/** What a refused single sign-on means to the person (http/oidc.ts codes); never the server's own text. */
const SINGLE_SIGN_ON_REFUSALS: Record<string, string> = {
  oidc_user_not_allowed: "Your account may not use this Sluice. Ask its operator to allow your domain or group.",
  oidc_user_claim_missing: "The sign-in provider did not say who you are (a verified email). Ask the operator.",
  oidc_provider_unavailable: "The sign-in provider cannot be reached right now. Try again in a moment.",
  oidc_provider_refused: "The sign-in provider refused the sign-in.",
};
const SINGLE_SIGN_ON_FAILED = "The sign-in did not complete. Please try again.";

const params = new URLSearchParams(location.search);
/** Where to go once signed in: a path of this site only. */
const returnTo = /^\/(?![/\\])/.test(params.get("return") ?? "") ? (params.get("return") as string) : "/";

interface SignInError {
  code?: string;
  message?: string;
  /** Who this browser is signed in as, when the server refused to replace them (409). */
  user?: string;
}

/** Signed in (or kept signed in as before, when asked): undefined; else what went wrong. */
async function signIn(token: string, replace = false): Promise<string | undefined> {
  const response = await fetch("/api/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, replace }),
  });
  if (response.ok) return undefined;
  const body = (await response.json().catch(() => undefined)) as { error?: SignInError } | undefined;
  // Someone else's link (any site can open /login#token=…) never silently replaces this browser's
  // user: ask, and stay signed in unless the person says otherwise.
  if (body?.error?.code === "signed_in_as_other" && !replace) {
    const switchUser = confirm(`You are signed in as ${body.error.user}. Sign out and use this token instead?`);
    return switchUser ? signIn(token, true) : undefined;
  }
  return body?.error?.message ?? `sign-in failed (${response.status})`;
}

function showError(message: string): void {
  const error = document.getElementById("sign-in-error") as HTMLElement;
  error.textContent = message;
  error.hidden = false;
}

async function attempt(token: string): Promise<void> {
  const failure = await signIn(token).catch(() => "the server cannot be reached");
  if (failure === undefined) location.replace(returnTo);
  else showError(failure);
}

/** The provider's button in place of the token form, and why the last attempt failed, if it did. */
function offerSingleSignOn(): void {
  const link = document.getElementById("single-sign-on") as HTMLAnchorElement;
  link.href = `/oidc/login?return=${encodeURIComponent(returnTo)}`;
  link.hidden = false;
  for (const id of ["sign-in-form", "token-hint"]) (document.getElementById(id) as HTMLElement).hidden = true;
  const code = params.get("error");
  if (code === null) return;
  const notice = document.getElementById("sign-in-notice") as HTMLElement;
  notice.textContent = SINGLE_SIGN_ON_REFUSALS[code] ?? SINGLE_SIGN_ON_FAILED;
  notice.hidden = false;
}

if (document.body.dataset.auth === "oidc") offerSingleSignOn();

const fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromLink) {
  history.replaceState(null, "", "/login");
  void attempt(fromLink);
}

document.getElementById("sign-in-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("token") as HTMLInputElement;
  void attempt(input.value.trim());
});
