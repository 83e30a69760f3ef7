import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { clearSecrets } from "@sagemaker-serve/errors";
import { makeTempDir, useTempDir, type TempDir } from "@sagemaker-serve/test-utils";
import {
  startPypiIndex,
  type PypiIndex,
  type PypiIndexOptions,
} from "@sagemaker-serve/test-utils/pypi-index";
import { writeWheel, type Wheel } from "@sagemaker-serve/test-utils/wheel";
import { PipInstallError, type InstallRequirementsOptions, type PipIndex } from "../src/index.ts";

/**
 * A fresh venv, one per test file. Packages install into the venv; pip itself is the base interpreter's, seen
 * through `--system-site-packages`, because ensurepip costs seconds of CPU per venv on a shared 2-core machine.
 * With `withPip: false` the venv sees no pip at all.
 */
export async function makeVenv(options: { withPip?: boolean } = {}): Promise<TempDir & { python: string }> {
  const dir = await makeTempDir({ prefix: "pip-install-venv-" });
  const withPip = options.withPip ?? true;
  await execa("python3", [
    "-m",
    "venv",
    "--without-pip",
    ...(withPip ? ["--system-site-packages"] : []),
    dir.path,
  ]);
  return { ...dir, python: join(dir.path, "bin", "python") };
}

export type Venv = Awaited<ReturnType<typeof makeVenv>>;

export interface InstallFixture {
  /** This file's venv (set before the first test). */
  venv: Venv;
  /** A directory for wheels, inside the venv. */
  wheelDir: string;
  /** Starts a local index that is closed after the file's last test. */
  serve: (options?: PypiIndexOptions) => Promise<PypiIndex>;
}

/**
 * The set-up every integration test file shares: one venv with a wheel directory, indexes closed at the end,
 * registered secrets cleared, and a check after each test that nothing running from the venv outlived it.
 */
export function useInstallFixture(): InstallFixture {
  const servers: PypiIndex[] = [];
  const fixture: InstallFixture = {
    venv: undefined as unknown as Venv,
    wheelDir: "",
    serve: async (options = {}) => {
      const server = await startPypiIndex(options);
      servers.push(server);
      return server;
    },
  };
  beforeAll(async () => {
    fixture.venv = await makeVenv();
    fixture.wheelDir = join(fixture.venv.path, "wheels");
    await mkdir(fixture.wheelDir);
  }, 60_000);
  afterEach(async () => {
    expect(await killLeftovers(fixture.venv.path)).toEqual([]);
  });
  afterAll(async () => {
    clearSecrets();
    await Promise.all(servers.map((server) => server.close()));
    await fixture.venv?.cleanup();
  });
  return fixture;
}

/**
 * Overrides that cut pip off from this machine's pip configuration (global config files, PIP_FIND_LINKS, extra
 * indexes, a constraints file: toolchain gotcha 17), so only the test's index is consulted.
 */
export function hermeticEnv(
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    PIP_CONFIG_FILE: "/dev/null",
    PIP_FIND_LINKS: undefined,
    PIP_EXTRA_INDEX_URL: undefined,
    PIP_INDEX_URL: undefined,
    PIP_CONSTRAINT: undefined,
    PIP_TRUSTED_HOST: undefined,
    ...extra,
  };
}

/**
 * The environment of an image whose pip configuration is only what the test writes under `dir`: no PIP_* variable
 * of this machine, HOME at `<dir>/home` (user config `<dir>/home/.config/pip/pip.conf`), global config
 * `<dir>/xdg/pip/pip.conf` (pip also reads /etc/pip.conf; only PIP_CONFIG_FILE=/dev/null turns that off, and these
 * tests must not), and no REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE: requests prefers them to pip's `cert` setting.
 */
export function imageEnv(
  dir: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const name of Object.keys(process.env)) if (name.startsWith("PIP_")) env[name] = undefined;
  return {
    ...env,
    HOME: join(dir, "home"),
    XDG_CONFIG_HOME: undefined,
    XDG_CONFIG_DIRS: join(dir, "xdg"),
    REQUESTS_CA_BUNDLE: undefined,
    CURL_CA_BUNDLE: undefined,
    ...extra,
  };
}

/** Builds wheels for tiny packages `name==version` into dir. */
export async function wheels(dir: string, ...specs: string[]): Promise<Wheel[]> {
  return Promise.all(
    specs.map((spec) => {
      const [name, version] = spec.split("==") as [string, string];
      return writeWheel({ dir, name, version });
    }),
  );
}

/** Imports `module` with the venv's interpreter and returns its VERSION. */
export async function importedVersion(python: string, module: string): Promise<string> {
  const { stdout } = await execa(python, ["-c", `import ${module}; print(${module}.VERSION)`]);
  return stdout.trim();
}

/** Pids of live (non-zombie) processes whose command line contains `marker`. */
export async function processesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Kills (SIGKILL) live processes whose argv mentions `marker` and returns their pids: a test asserts it is empty. */
export async function killLeftovers(marker: string): Promise<number[]> {
  const pids = await processesWith(marker);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  return pids;
}

/**
 * A temp dir with `requirements.txt` (unless `requirements` is undefined), a `tmp/` for the credentials directory,
 * and options for one install: 60 s budget, lines collected, state file in the dir, pip cut off from this machine.
 */
export async function prepareInstall(input: {
  requirements: string | undefined;
  python: string;
  index?: PipIndex;
}) {
  const dir = await useTempDir();
  const requirementsPath = join(dir, "requirements.txt");
  if (input.requirements !== undefined) await writeFile(requirementsPath, input.requirements);
  const tmpDir = join(dir, "tmp");
  await mkdir(tmpDir);
  const lines: string[] = [];
  const options: InstallRequirementsOptions = {
    requirementsPath,
    python: input.python,
    index: input.index,
    timeoutMs: 60_000,
    onLine: (line) => lines.push(line),
    statePath: join(dir, "state.json"),
    tmpDir,
    env: hermeticEnv(),
  };
  return { dir, requirementsPath, tmpDir, lines, options };
}

/** The PipInstallError a promise rejects with (fails the test for anything else). */
export async function pipFailure(promise: Promise<unknown>): Promise<PipInstallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PipInstallError))
    throw new Error(`expected a PipInstallError, got ${String(error)}`);
  return error;
}
