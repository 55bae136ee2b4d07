/**
 * Which app container answered a request, from nginx's own JSON access log (`sluice_json` in
 * sluice.conf.template) as `docker-compose logs nginx` shows it: a request sent with its own
 * X-Request-Id is logged under that id, with the address nginx passed it to.
 */
import { waitFor } from "../../harness/client/poll.ts";
import type { ComposeProject } from "./project.ts";

/** A header that files a request under `id` in nginx's access log. */
export function requestIdHeader(id: string): Record<string, string> {
  return { "x-request-id": id };
}

/** request_id → upstream_addr of every logged request; a retried one keeps the address that answered. */
async function loggedUpstreams(project: ComposeProject): Promise<Map<string, string>> {
  const upstreams = new Map<string, string>();
  for (const line of (await project.must(["logs", "--no-color", "nginx"], 30_000)).split("\n")) {
    const json = line.slice(line.indexOf("{"));
    if (!json.startsWith('{"time"')) continue;
    const entry = JSON.parse(json) as { request_id: string; upstream_addr: string };
    // "a:3000, b:3000" when nginx tried the next server: the last one answered.
    const answered = entry.upstream_addr.split(",").at(-1)?.trim();
    if (answered) upstreams.set(entry.request_id, answered.replace(/:\d+$/, ""));
  }
  return upstreams;
}

/**
 * The address (without port) of the container that answered each request, in the order given. nginx
 * logs a request when it ends, so this polls until every one is there; throws after `timeoutMs`.
 */
export function answeredBy(project: ComposeProject, ids: string[], timeoutMs = 15_000): Promise<string[]> {
  const answered = async () => {
    const upstreams = await loggedUpstreams(project);
    return ids.every((id) => upstreams.has(id)) ? ids.map((id) => upstreams.get(id) as string) : undefined;
  };
  return waitFor(`nginx to log the requests ${ids.join(", ")}`, answered, timeoutMs, 500);
}
