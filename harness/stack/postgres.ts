/**
 * A throwaway PostgreSQL server for the tests and the native stack: Debian's server
 * binaries, a cluster in a temporary folder, listening on a free port of 127.0.0.1 with its Unix
 * socket inside that folder, one database, and everything removed when it stops. PostgreSQL
 * refuses to run as root, so under root every server command runs as the `postgres` user that the
 * package creates.
 */
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "bun";
import { freePort } from "./free-port.ts";

export class PostgresStackError extends Error {
  override name = "PostgresStackError";
  constructor(
    readonly code: "postgres_missing" | "postgres_failed",
    message: string,
  ) {
    super(message);
  }
}

export interface TestPostgres {
  /** e.g. postgres://postgres@127.0.0.1:41234/sluice */
  url: string;
  port: number;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** The newest `/usr/lib/postgresql/<version>/bin` that has initdb (Debian's layout), or undefined. */
export function findPostgresBinaries(root = "/usr/lib/postgresql"): string | undefined {
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

const asRoot = process.getuid?.() === 0;

/** Runs a server binary, as `postgres` under root; throws with its output when it fails. */
function run(command: string[], what: string): void {
  const argv = asRoot ? ["runuser", "-u", "postgres", "--", ...command] : command;
  const result = spawnSync(argv, { stdout: "pipe", stderr: "pipe", cwd: tmpdir() });
  if (!result.success) {
    const output = `${result.stdout.toString()}${result.stderr.toString()}`.trim();
    throw new PostgresStackError("postgres_failed", `${what} failed (exit ${result.exitCode}):\n${output}`);
  }
}

/** The numeric uid and gid of the `postgres` user, from /etc/passwd. */
function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined)
    throw new PostgresStackError("postgres_missing", "there is no postgres user: install Debian's postgresql package");
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts a new cluster and creates `database` in it.
 * @throws {PostgresStackError} `postgres_missing` without the server binaries (scripts/prepare
 * installs them), `postgres_failed` with the server's own words.
 */
export async function startTestPostgres(database = "sluice"): Promise<TestPostgres> {
  const bin = findPostgresBinaries();
  if (!bin)
    throw new PostgresStackError(
      "postgres_missing",
      "no PostgreSQL server: run scripts/prepare (apt-get install postgresql)",
    );
  const dir = mkdtempSync(join(tmpdir(), "sluice-postgres-"));
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const port = freePort();
  try {
    // Trust on loopback: the server lives as long as one test run and listens on 127.0.0.1 only.
    run([`${bin}/initdb`, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], "initdb");
    // Durability is not the point of a throwaway cluster: skipping fsync makes its tests faster.
    const settings = `-p ${port} -k '${dir}' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    run(
      [`${bin}/pg_ctl`, "-D", data, "-l", join(dir, "server.log"), "-w", "-t", "30", "-o", settings, "start"],
      "pg_ctl start",
    );
    run([`${bin}/createdb`, "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", database], "createdb");
  } catch (error) {
    stopCluster(bin, data);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    stop: async () => {
      stopCluster(bin, data);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fast shutdown (open connections are ended); quiet when the server never started. */
function stopCluster(bin: string, data: string): void {
  if (!existsSync(join(data, "postmaster.pid"))) return;
  run([`${bin}/pg_ctl`, "-D", data, "-m", "fast", "-w", "stop"], "pg_ctl stop");
}
