import { spawn, type ChildProcess } from "node:child_process";
import { access, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  findProcesses,
  freePort,
  installFakeLaunchers,
  type FakeFlavor,
  type FakeKnobs,
  type FakeLaunchers,
} from "@sagemaker-serve/test-utils/fake-launchers/fake-launchers";
import { useTempDir, waitFor } from "@sagemaker-serve/test-utils";
import { expect, onTestFinished } from "vitest";

/** The built CLI the image ships; `pnpm turbo run test` builds it first (turbo.json). */
export const BUNDLE = fileURLToPath(new URL("../dist/sagemaker-serve.js", import.meta.url));
/** The `--log-config` each Java backend gets: its toolkit's log4j2 routing, shipped next to the bundle. */
export const LOG_CONFIG = fileURLToPath(new URL("../dist/log4j2-mms.xml", import.meta.url));
export const TS_LOG_CONFIG = fileURLToPath(new URL("../dist/log4j2-torchserve.xml", import.meta.url));

export async function assertBundleBuilt(): Promise<void> {
  await access(BUNDLE).catch(() => {
    throw new Error(`${BUNDLE} is missing: run \`pnpm --filter @sagemaker-serve/entrypoint build\` first`);
  });
}

/** A fresh serving environment: its own base dir, config path, TMPDIR, port and fake launchers. */
export interface ServeSetup {
  dir: string;
  baseDir: string;
  modelDir: string;
  configPath: string;
  port: number;
  fakes: FakeLaunchers;
  /** The environment for the CLI: only what a container would have, plus the fakes' knobs. */
  env: (extra?: Record<string, string>, knobs?: FakeKnobs) => Record<string, string>;
}

export async function useServeSetup({
  flavors = ["mms", "torchserve"],
  multiModel = false,
}: { flavors?: readonly FakeFlavor[]; multiModel?: boolean } = {}): Promise<ServeSetup> {
  await assertBundleBuilt();
  const dir = await useTempDir({ prefix: "sagemaker-serve-e2e-" });
  onTestFinished(async () => {
    // Runs before the temp dir is removed (hooks run in reverse): CLIs still running were killed by the test's
    // own failure path; anything else found now was left behind by the CLI.
    const runs = liveRuns.splice(0);
    const stillRunning = runs.filter((run) => run.child.exitCode === null && run.child.signalCode === null);
    for (const run of stillRunning) run.child.kill("SIGKILL");
    await Promise.all(stillRunning.map((run) => run.exit));
    await assertNothingLeft(dir, { strict: stillRunning.length === 0 });
  });
  const baseDir = join(dir, "opt-ml");
  const modelDir = join(baseDir, multiModel ? "models" : "model");
  await mkdir(join(modelDir, "code"), { recursive: true });
  const fakes = await installFakeLaunchers({ dir, flavors });
  const port = await freePort();
  const configPath = join(dir, "etc", "server.properties");
  return {
    dir,
    baseDir,
    modelDir,
    configPath,
    port,
    fakes,
    env: (extra = {}, knobs = {}) => ({
      ...fakes.env(knobs),
      HOME: dir,
      TMPDIR: dir,
      SAGEMAKER_BASE_DIR: baseDir,
      SAGEMAKER_BIND_TO_PORT: String(port),
      SAGEMAKER_SERVE_CONFIG_PATH: configPath,
      ...(multiModel ? { SAGEMAKER_MULTI_MODEL: "true" } : {}),
      ...extra,
    }),
  };
}

/** Kills whatever a test left behind (found by its temp dir in argv or environment) and fails the test if any. */
export async function assertNothingLeft(dir: string, { strict = true } = {}): Promise<void> {
  const left = (await findProcesses(dir)).filter((p) => p.state !== "Z");
  for (const proc of left) {
    try {
      process.kill(proc.pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  if (strict) expect(left.map((p) => `${p.pid} ${p.cmdline.join(" ")}`)).toEqual([]);
}

const liveRuns: CliRun[] = [];

export interface CliRun {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  /** Resolves once the combined output matches. */
  waitForOutput: (pattern: RegExp | string, timeoutMs?: number) => Promise<void>;
}

/**
 * Runs `node dist/sagemaker-serve.js ...args`, optionally under a wrapper (`["tini", "--"]`, unshare...) and with
 * options for node itself (`--import` of a fixture); or, given `executable`, that file (the single executable).
 */
export function runCli(
  args: string[],
  {
    env,
    cwd,
    wrapper = [],
    nodeArgs = [],
    executable,
  }: {
    env: Record<string, string>;
    cwd: string;
    wrapper?: string[];
    nodeArgs?: string[];
    executable?: string;
  },
): CliRun {
  const cli = executable === undefined ? [process.execPath, ...nodeArgs, BUNDLE] : [executable];
  const argv = [...wrapper, ...cli, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const run: CliRun = {
    child,
    exit,
    output: () => output,
    waitForOutput: async (pattern, timeoutMs = 20_000) => {
      const matches = () => (typeof pattern === "string" ? output.includes(pattern) : pattern.test(output));
      await Promise.race([
        waitFor(matches, { timeoutMs, intervalMs: 25, description: `output matching ${String(pattern)}` }),
        exit.then(() => {
          if (!matches())
            throw new Error(`CLI exited before printing ${String(pattern)}; output:\n${output}`);
        }),
      ]).catch((error: Error) => {
        throw new Error(`${error.message}\n--- output ---\n${output}`);
      });
    },
  };
  liveRuns.push(run);
  return run;
}

export async function ping(port: number): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/ping`);
  return { status: response.status, body: await response.text() };
}

/** POSTs `body` to `/invocations` as `type`, accepting the same type. */
async function invoke(port: number, body: string, type: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/invocations`, {
    method: "POST",
    headers: { "content-type": type, accept: type },
    body,
  });
  return { status: response.status, body: await response.text() };
}

export async function readText(path: string): Promise<string> {
  return readFile(path, "utf8");
}

/** The toolkit's exact `multi-model-server` arguments for a setup, plus our `--foreground`. */
export function mmsLauncherArgs(s: ServeSetup, { singleModel = true } = {}): string[] {
  return [
    "--start",
    "--model-store",
    "/",
    "--mms-config",
    s.configPath,
    "--log-config",
    LOG_CONFIG,
    ...(singleModel ? ["--models", `model=${s.modelDir}`] : []),
    "--foreground",
  ];
}

/** The example model (`examples/echo/model`) on `port`: `/ping` 200, and its JSON and CSV answers. */
export async function expectEchoModelAnswers(port: number): Promise<void> {
  expect(await ping(port)).toMatchObject({ status: 200 });
  const json = await invoke(port, JSON.stringify({ inputs: [1, 2, 3] }), "application/json");
  expect(json.status).toBe(200);
  expect(JSON.parse(json.body)).toEqual({
    model: "echo",
    version: 1,
    received: { inputs: [1, 2, 3] },
    scaled: { inputs: [2, 4, 6] },
  });
  expect(await invoke(port, "1,2,3\n4,5,6", "text/csv")).toEqual({
    status: 200,
    body: "2.0,4.0,6.0\n8.0,10.0,12.0\n",
  });
}
