// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are envsubst and Dockerfile syntax, not template literals.
/**
 * The Dockerfiles and the native stack run what package.json's scripts run, with the same pins.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { runtimeCommand } from "../../harness/stack/process.ts";
import { baseImages } from "../../scripts/stand-ins/pins.ts";
import { composeConfig, service } from "./compose-file.ts";

const root = new URL("../../", import.meta.url).pathname;
const scripts: Record<string, string> = JSON.parse(readFileSync(`${root}package.json`, "utf8")).scripts;

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions in order, continuation lines joined, comments dropped. */
function instructions(path: string): Instruction[] {
  const lines = readFileSync(`${root}${path}`, "utf8")
    .split("\n")
    .filter((line) => !line.trim().startsWith("#"));
  return lines
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const [keyword = "", ...rest] = line.trim().split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

/** The last command of a script: "npm run build:ui && bun src/main.ts" → "bun src/main.ts". */
function lastCommand(script: string | undefined): string {
  return (script ?? "").split("&&").at(-1)?.trim() ?? "";
}

/** "A=${A:-1} B=2 bun x.ts" → { env: { A: "1", B: "2" }, command: "bun x.ts" } (shell defaults resolved). */
function splitAssignments(command: string): { env: Record<string, string>; command: string } {
  const env: Record<string, string> = {};
  const words = command.split(/\s+/);
  while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name = "", value = ""] = (words.shift() as string).split(/=(.*)/s);
    env[name] = value.replace(/^\$\{[A-Z_0-9]+:-(.*)\}$/, "$1");
  }
  return { env, command: words.join(" ") };
}

function args(list: Instruction[], keyword: string): string[] {
  return list.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
}

describe("deploy/docker/Dockerfile", () => {
  const dockerfile = instructions("deploy/docker/Dockerfile");

  test("runs what npm start runs, with its environment, after the UI build of npm run build:ui", () => {
    const start = splitAssignments(lastCommand(scripts.start));
    const cmd = JSON.parse(args(dockerfile, "CMD").at(-1) ?? "[]") as string[];
    expect(cmd.join(" ")).toBe(start.command);
    const env = args(dockerfile, "ENV").join(" ");
    for (const [name, value] of Object.entries(start.env)) expect(env).toContain(`${name}=${value}`);
    expect(args(dockerfile, "RUN")).toContain(scripts["build:ui"] as string);
  });

  test("the simulator service runs the same entry as npm run simulator", () => {
    const simulator = service(composeConfig(["--profile", "simulator"]), "simulator");
    expect(simulator.command?.join(" ")).toBe(scripts.simulator as string);
  });

  test("the Bun image is the Bun version the tests run on", () => {
    const pinned = args(dockerfile, "ARG").find((arg) => arg.startsWith("BUN_VERSION="));
    const tested = JSON.parse(readFileSync(`${root}node_modules/bun/package.json`, "utf8")).version;
    expect(pinned).toBe(`BUN_VERSION=${tested}`);
    // Every stage starts from the pinned image or from an earlier stage.
    const images = baseImages(readFileSync(`${root}deploy/docker/Dockerfile`, "utf8"));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toStartWith("oven/bun:${BUN_VERSION}");
  });

  test("the app runs as an unprivileged user, on the port the health check asks", () => {
    const user = args(dockerfile, "USER").at(-1);
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    const env = args(dockerfile, "ENV").join(" ");
    const app = service(composeConfig(), "app");
    expect(env).toContain(`PORT=${app.environment?.PORT}`);
    expect(env).toContain("DATA_DIR=/data");
  });

  test("installs from the lockfile", () => {
    const installs = args(dockerfile, "RUN").filter((run) => run.startsWith("bun install"));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toContain("--frozen-lockfile");
  });
});

describe("the native stack runs what package.json runs", () => {
  test("Bun: the start script's command", () => {
    const command = runtimeCommand("bun", "src/main.ts");
    expect(command.slice(1).join(" ")).toBe(`${root}src/main.ts`);
    expect(splitAssignments(lastCommand(scripts.start)).command).toBe("bun src/main.ts");
  });

  test("Deno: the permissions of the start:deno script", () => {
    const command = runtimeCommand("deno", "src/main.ts");
    const script = lastCommand(scripts["start:deno"]).split(/\s+/);
    expect(command.slice(1, -1)).toEqual(script.slice(1, -1));
    expect(command.at(-1)).toBe(`${root}${script.at(-1)}`);
  });
});
