/**
 * The admin page (/admin, its own bundle): users with their usage, storage and activity, the
 * generations running now, and the audit log. Every action asks first, then reloads what it
 * changed and the audit log, which records it.
 */
import { adminApi } from "./admin-api.ts";
import { showAudit } from "./admin-audit.ts";
import { showRunning } from "./admin-running.ts";
import { showUsers, signOut, type UserActions } from "./admin-users.ts";
import { byId } from "./dom.ts";

const RUNNING_REFRESH_MS = 5_000;

function say(message: string, error?: unknown): void {
  const line = byId("admin-error");
  line.textContent = error === undefined ? message : `${message}: ${(error as Error).message}`;
  line.classList.toggle("notice", error === undefined);
  line.hidden = false;
}

const actions: UserActions = {
  done(message, error) {
    say(message, error);
    void reload();
  },
};

async function reload(): Promise<void> {
  await Promise.all([showUsers(actions), showRunning(actions), showAudit()]).catch((error) =>
    say("Could not load the admin data", error),
  );
}

async function start(): Promise<void> {
  const session = await adminApi.session().catch(() => undefined);
  if (session) byId("admin-user").textContent = `Signed in as ${session.user}`;
  byId("usage-days").addEventListener(
    "change",
    () => void showUsers(actions).catch((error) => say("Could not load users", error)),
  );
  byId("sign-out-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void signOut(byId<HTMLInputElement>("sign-out-user").value.trim(), actions);
  });
  byId("running-refresh").addEventListener("click", () => void showRunning(actions).catch(() => {}));
  setInterval(() => void showRunning(actions).catch(() => {}), RUNNING_REFRESH_MS);
  await reload();
}

void start();
