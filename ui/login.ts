/**
 * The sign-in page: exchanges an access token for a session cookie. A sign-in link carries the
 * token in the fragment (`/login#token=…`), which browsers never send to a server or a proxy's
 * log; the page reads it, signs in, and removes it from the address bar.
 */

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
  if (failure === undefined) location.replace("/");
  else showError(failure);
}

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
