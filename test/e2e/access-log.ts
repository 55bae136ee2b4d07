/**
 * nginx's JSON access log (`sluice_json` in sluice.conf.template) as the native stack writes it:
 * one object per finished request, which says how long nginx held it and where it sent it.
 */
import { existsSync, readFileSync } from "node:fs";

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
