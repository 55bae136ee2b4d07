/**
 * The root filesystem both stand-ins start from: Debian 12 ("bookworm", the release the official
 * Bun and nginx images are built on), minimal variant, made by debootstrap and imported as an image.
 * Debian's own package mirror is the only source, and the machine's apt configuration names it.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "bun";
import { INPUTS_LABEL, inputsOf, run, StandInError } from "./docker.ts";

export const BASE_TAG = "sluice-stand-in/debian:bookworm";

const SUITE = "bookworm";
const VARIANT = "minbase";
// An imported file system has no environment: without PATH, Docker finds no command by name (the
// compose file's `bun …` commands). Debian's own default, as every official Debian-based image sets it.
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// Changing the recipe changes the label, and the next run builds the base (and what is built on it) again.
const RECIPE = `debootstrap --variant=${VARIANT} ${SUITE}, PATH=${PATH}, / 0755`;

/**
 * The Debian mirror this machine's apt uses (deb822 or one-line form), so the image is made from
 * the same source the machine trusts; undefined lets debootstrap use its default.
 */
export function aptMirror(): string | undefined {
  const files = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"];
  for (const file of files.filter((path) => existsSync(path))) {
    const text = readFileSync(file, "utf8");
    const deb822 = text.match(/^URIs:\s*(\S+\/debian)\/?\s*$/m)?.[1];
    const oneLine = text.match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+bookworm\s/m)?.[1];
    if (deb822 ?? oneLine) return deb822 ?? oneLine;
  }
  return undefined;
}

/** Makes the base image unless one with the same recipe exists; returns whether it built. */
export async function ensureDebianBase(): Promise<boolean> {
  if (inputsOf(BASE_TAG) === RECIPE) return false;
  if (process.getuid?.() !== 0) {
    throw new StandInError("not_root", `${BASE_TAG} is missing and debootstrap needs root: run as root`);
  }
  if (!spawnSync(["sh", "-c", "command -v debootstrap"]).success) {
    throw new StandInError("command_failed", "debootstrap is not installed (Debian: apt-get install debootstrap)");
  }
  const target = mkdtempSync(join(tmpdir(), "sluice-rootfs-"));
  try {
    const mirror = aptMirror();
    await run(["debootstrap", `--variant=${VARIANT}`, SUITE, target, ...(mirror ? [mirror] : [])]);
    // The downloaded packages are installed; the image need not carry them twice.
    const archives = join(target, "var/cache/apt/archives");
    for (const file of readdirSync(archives).filter((name) => name.endsWith(".deb"))) rmSync(join(archives, file));
    // mkdtemp makes the folder 0700, and tar records "." as the image's "/": the app's user could
    // then reach no file at all.
    chmodSync(target, 0o755);
    const tar = spawn(["tar", "-C", target, "-c", "."], { stdout: "pipe" });
    const changes = ["--change", `ENV PATH=${PATH}`, "--change", `LABEL ${INPUTS_LABEL}="${RECIPE}"`];
    await run(["docker", "import", ...changes, "-", BASE_TAG], {
      stdin: tar.stdout,
    });
    if ((await tar.exited) !== 0) throw new StandInError("command_failed", "tar of the root filesystem failed");
    return true;
  } finally {
    rmSync(target, { recursive: true, force: true });
  }
}
