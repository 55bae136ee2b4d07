/**
 * nginx's JSON access log (`sluice_json` in sluice.conf.template) as the native stack writes it:
 * one object per finished request, which says how long nginx held it and where it sent it.
 */
import { existsSync, readFileSync } from "node:fs";
import { waitUntil } from "../../harness/client/poll.ts";

export interface AccessLogEntry {
  request_id: string;
  method: string;
  path: string;
  status: number;
  request_time: number;
  upstream_response_time: string;
  /** The app instance nginx passed the request to (`host:port`). */
  upstream_addr: string;
  bytes_sent: number;
}

/** nginx's access log so far, one JSON object per finished request. */
export function accessLog(path: string): AccessLogEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AccessLogEntry);
}

/**
 * nginx's access log once `complete` accepts it. nginx writes a request's line after sending its
 * last byte, so a client that has read a whole response can look before the line is there.
 * @throws {Error} when the log is still not complete after `timeoutMs`.
 */
export function accessLogOnce(
  path: string,
  complete: (entries: AccessLogEntry[]) => boolean,
  timeoutMs = 10_000,
): Promise<AccessLogEntry[]> {
  return waitUntil("nginx's access log", () => accessLog(path), complete, timeoutMs);
}
