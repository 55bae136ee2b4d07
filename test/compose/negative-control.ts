/**
 * The negative control for the streaming check: a second nginx from the compose file's own image,
 * templates and network, whose settings are changed only through the template variables, to the
 * native stack's negative control: the combination that holds tokens back (deploy/README.md). It proves the check
 * can see bunching here, and that the variables really reach the rendered configuration.
 */
import { spawnSync } from "bun";
import { waitFor } from "../../harness/client/poll.ts";
import { NEGATIVE_CONTROL } from "../../harness/stack/template-vars.ts";
import { httpPort } from "./client.ts";
import type { ComposeProject } from "./project.ts";

export interface ControlNginx {
  port: number;
  stop(): Promise<void>;
}

/** `docker-compose run` of the nginx service with the bunching settings, published on the next port. */
export async function startBunchingNginx(project: ComposeProject): Promise<ControlNginx> {
  const port = httpPort + 1;
  const name = `${project.variant.model.service}-bunching-nginx-${process.pid}`;
  const settings = Object.entries(NEGATIVE_CONTROL).flatMap(([key, value]) => ["-e", `${key}=${value}`]);
  await project.must(["run", "-d", "--no-deps", "--name", name, "-p", `${port}:8080`, ...settings, "nginx"]);
  const stop = async () => {
    spawnSync(["docker", "rm", "-f", name], { stdout: "ignore", stderr: "ignore" });
  };
  // Up once nginx answers (the entrypoint renders the templates first).
  const answers = () =>
    fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok || undefined,
      () => undefined,
    );
  try {
    await waitFor(`the bunching nginx to answer on port ${port}`, answers, 30_000, 250);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, stop };
}
