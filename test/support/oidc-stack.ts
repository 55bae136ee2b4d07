/**
 * The native stack (nginx → app → simulator) under AUTH=oidc with the tests' OpenID provider, for
 * the e2e and browser tests: nginx's port is chosen first, so that PUBLIC_URL, the provider's
 * registered redirect URL and the address the tests use are one and the same.
 */
import { freePort } from "../../harness/stack/free-port.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { oidcEnv, sluiceClient, startTestProvider, TEST_ACCOUNTS, type TestProvider } from "./oidc-provider.ts";

export interface OidcStack {
  provider: TestProvider;
  stack: Stack;
  /** Through nginx: PUBLIC_URL. */
  base: string;
  stop(): Promise<void>;
}

export async function startOidcStack(): Promise<OidcStack> {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const provider = await startTestProvider({ clients: [sluiceClient(base)], accounts: TEST_ACCOUNTS });
  const stack = await startStack({ env: oidcEnv(provider, base), ports: { stack: port } }).catch(async (error) => {
    await provider.stop();
    throw error;
  });
  return {
    provider,
    stack,
    base,
    async stop() {
      await stack.stop();
      await provider.stop();
    },
  };
}
