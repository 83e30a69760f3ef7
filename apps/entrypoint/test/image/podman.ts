import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { waitFor } from "@sagemaker-serve/test-utils";

const execFileAsync = promisify(execFile);

/** The repository root: the build context of the example images, as their README says. */
export const REPO_ROOT = new URL("../../../../", import.meta.url).pathname.replace(/\/$/, "");

// crun, podman's default, fails on these machines ("cgroups in hybrid mode not supported"), and the
// default rlimits cannot be set inside their sandbox ("error setting rlimit type 7").
const RUNTIME = ["--runtime", "runc"];
const ULIMITS = ["--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"];

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and returns its exit code and output; never throws for a non-zero exit. */
export async function runCommand(command: string, args: string[]): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & { code: unknown; stdout?: string; stderr?: string };
    if (failed.code === "ENOENT") return { code: 127, stdout: "", stderr: `${command}: not found on PATH` };
    return {
      code: typeof failed.code === "number" ? failed.code : 1,
      stdout: failed.stdout ?? "",
      stderr: failed.stderr ?? failed.message,
    };
  }
}

/** Like runCommand, but a non-zero exit is an error that quotes the command and its output. */
export async function mustRun(command: string, args: string[]): Promise<string> {
  const result = await runCommand(command, args);
  if (result.code !== 0) {
    throw new Error(
      `\`${[command, ...args].join(" ")}\` exited ${result.code}:\n${result.stderr.trim()}\n${result.stdout.trim()}`,
    );
  }
  return result.stdout;
}

const SETUP_HINT =
  "run `bash scripts/bootstrap.sh` as root (it installs podman, mmdebstrap and runc), or set " +
  "SAGEMAKER_SERVE_SKIP_IMAGE_TESTS=1 on a machine that cannot run containers";

/**
 * Checks that this machine can build and run containers: the tools are installed and root runs them (the test
 * bases are made with mmdebstrap, which needs root here). Throws with the exact reason and the fix.
 */
export async function assertContainersUsable(): Promise<void> {
  const problems: string[] = [];
  if (process.getuid?.() !== 0)
    problems.push(`the image tests run as root, this is uid ${process.getuid?.()}`);
  for (const [tool, args] of [
    ["podman", ["--version"]],
    ["mmdebstrap", ["--version"]],
    ["runc", ["--version"]],
  ] as const) {
    const result = await runCommand(tool, [...args]);
    if (result.code !== 0)
      problems.push(`${tool} --version failed (${result.code}): ${result.stderr.trim()}`);
  }
  if (problems.length > 0) {
    throw new Error(`this machine cannot run the image tests: ${problems.join("; ")}. Fix: ${SETUP_HINT}`);
  }
}

/**
 * Makes the base the examples are built on instead of `debian:trixie-slim` (scripts/image-base.mjs: Debian trixie
 * from the mirror, once per day) and returns its tag.
 */
export async function ensureBaseImage(): Promise<string> {
  const script = new URL("../../scripts/image-base.mjs", import.meta.url).pathname;
  return (await mustRun(process.execPath, [script])).trim();
}

/**
 * Builds `dockerfile` (relative to the repository root, which is the context) on `base`. The previous image of
 * the same tag is removed once replaced, so repeated runs do not fill the disk; unchanged layers are reused.
 */
export async function buildImage(options: { dockerfile: string; tag: string; base: string }): Promise<void> {
  const { dockerfile, tag, base } = options;
  const previous = (
    await runCommand("podman", ["image", "inspect", "--format", "{{.Id}}", tag])
  ).stdout.trim();
  await mustRun("podman", [
    "build",
    "--quiet",
    "--pull=never",
    ...RUNTIME,
    // RUN steps (apt-get) on the host's network: the default bridge needs CNI and iptables, which a root PATH
    // without /usr/sbin does not find.
    "--network",
    "host",
    "--from",
    base,
    "--file",
    join(REPO_ROOT, dockerfile),
    "--tag",
    tag,
    REPO_ROOT,
  ]);
  const current = (await mustRun("podman", ["image", "inspect", "--format", "{{.Id}}", tag])).trim();
  if (previous !== "" && previous !== current) await runCommand("podman", ["rmi", previous]);
}

/** One `podman run` in the foreground (attached), as SageMaker's `docker run IMAGE serve`. */
export interface Container {
  name: string;
  /** stdout and stderr as received so far, separately. */
  stdout: () => string;
  stderr: () => string;
  /** podman run's own exit: the container's exit code. */
  exit: Promise<number | null>;
  /** Resolves once the container's output matches; fails early if it exits first. */
  waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  /** `podman exec` in the container (as the image's user, or `user`); stdout. */
  exec: (args: string[], options?: { user?: string }) => Promise<string>;
}

/** Starts `podman run --rm` of `image` with host networking, `env`, `volumes` (`host:container[:ro]`) and `args`. */
export function runContainer(options: {
  image: string;
  name: string;
  env: Record<string, string>;
  volumes?: string[];
  args?: string[];
}): Container {
  const { image, name, env, volumes = [], args = [] } = options;
  const argv = [
    "run",
    "--rm",
    "--name",
    name,
    ...RUNTIME,
    ...ULIMITS,
    // The test's local package index listens on the host's 127.0.0.1.
    "--network",
    "host",
    ...Object.entries(env).flatMap(([key, value]) => ["--env", `${key}=${value}`]),
    ...volumes.flatMap((volume) => ["--volume", volume]),
    image,
    ...args,
  ];
  const child = spawn("podman", argv, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const output = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
  return {
    name,
    stdout: () => stdout,
    stderr: () => stderr,
    exit,
    waitForOutput: async (pattern, timeoutMs = 120_000) => {
      const matches = () => pattern.test(stdout) || pattern.test(stderr);
      await Promise.race([
        waitFor(matches, { timeoutMs, intervalMs: 50, description: `container output matching ${pattern}` }),
        exit.then((code) => {
          if (!matches()) throw new Error(`container exited (${code}) before printing ${pattern}`);
        }),
      ]).catch((error: Error) => {
        throw new Error(`${error.message}\n${output()}`);
      });
    },
    exec: (execArgs, { user } = {}) =>
      mustRun("podman", ["exec", ...(user === undefined ? [] : ["--user", user]), name, ...execArgs]),
  };
}

/** Stops a container the way a platform does: `podman stop` (SIGTERM, then SIGKILL after `graceSeconds`). */
export async function stopContainer(name: string, graceSeconds: number): Promise<void> {
  await mustRun("podman", ["stop", "--time", String(graceSeconds), name]);
}

/** Removes a container that a failed test left running. */
export async function removeContainer(name: string): Promise<void> {
  await runCommand("podman", ["rm", "--force", "--time", "0", name]);
}
