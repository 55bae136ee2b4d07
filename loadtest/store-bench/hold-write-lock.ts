/**
 * Write pressure on a SQLite database from another process: takes the write lock, holds it for
 * `holdMs`, lets go for `gapMs`, again and again for `durationMs`. Prints "holding" once the
 * first lock is held.
 * Usage: bun loadtest/store-bench/hold-write-lock.ts <database> [holdMs=1500] [gapMs=50] [durationMs=10000]
 */
import { DatabaseSync } from "node:sqlite";

const [path, hold = "1500", gap = "50", duration = "10000"] = process.argv.slice(2);
if (!path) throw new Error("usage: hold-write-lock.ts <database> [holdMs] [gapMs] [durationMs]");
const db = new DatabaseSync(path);
db.exec("PRAGMA busy_timeout = 10000");
const sleeper = new Int32Array(new SharedArrayBuffer(4));
// A synchronous sleep: the lock must stay held while this process does nothing.
const sleep = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);
const end = Date.now() + Number(duration);
let announced = false;
while (Date.now() < end) {
  db.exec("BEGIN IMMEDIATE");
  db.exec("CREATE TABLE IF NOT EXISTS pressure (at INTEGER)");
  db.prepare("INSERT INTO pressure (at) VALUES (?)").run(Date.now());
  if (!announced) console.log("holding");
  announced = true;
  sleep(Number(hold));
  db.exec("COMMIT");
  sleep(Number(gap));
}
db.close();
