/**
 * The sign-in page: exchanges an access token for a session cookie. A sign-in link carries the
 * token in the fragment (`/login#token=…`), which browsers never send to a server or a proxy's
 * log; the page reads it, signs in, and removes it from the address bar.
 */

async function signIn(token: string): Promise<string | undefined> {
  const response = await fetch("/api/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (response.ok) return undefined;
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
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
