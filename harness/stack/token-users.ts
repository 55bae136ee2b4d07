/**
 * Many users of AUTH=token for a stack: each a name and a token of its own, and the settings that
 * admit them all. For tests and benches that need requests from distinct users (nginx balancing by
 * user, per-user limits), not one client.
 */

export interface TokenUser {
  name: string;
  token: string;
}

/** `count` users, `user0`…; `label` keeps one run's tokens apart from another's. */
export function tokenUsers(count: number, label: string): { users: TokenUser[]; env: Record<string, string> } {
  const users = Array.from({ length: count }, (_, index) => ({
    name: `user${index}`,
    // 16 characters at least, as AUTH_TOKENS asks.
    token: `${label}-${String(index).padStart(6, "0")}-token`,
  }));
  const env = { AUTH: "token", AUTH_TOKENS: users.map((user) => `${user.name}:${user.token}`).join(",") };
  return { users, env };
}
