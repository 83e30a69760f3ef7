import { mkdir, readFile, readdir, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Directory holding the fake `multi-model-server` and `torchserve` executables. */
export const FAKE_LAUNCHER_BIN_DIR = fileURLToPath(new URL("./bin/", import.meta.url)).replace(/\/$/, "");

/** The main classes the fake servers put in their argv, exactly as the real JVMs do. */
export const FAKE_MAIN_CLASS = {
  mms: "com.amazonaws.ml.mms.ModelServer",
  torchserve: "org.pytorch.serve.ModelServer",
} as const;

export type FakeFlavor = keyof typeof FAKE_MAIN_CLASS;

/** Knobs of the fakes, set as `FAKE_MMS_<NAME>` environment variables (both flavours read the same names). */
export interface FakeKnobs {
  /** JVM start-up delay before the config is read. Default 1500 in the fakes; `fakeEnv` defaults it to 0. */
  STARTUP_DELAY_MS?: number;
  /** Delay per start-up model, before binding. */
  MODEL_LOAD_DELAY_MS?: number;
  /** Worker grandchildren per model (default: `default_workers_per_model`, else 1). */
  WORKERS?: number;
  /** Workers become ready this long after they start, so `/ping` says "Unhealthy" until then. */
  WORKER_READY_DELAY_MS?: number;
  /** Force the `/ping` status: `Healthy`, `Partial Healthy` or `Unhealthy`. */
  PING_STATUS?: string;
  /** Exit this long after "Model server started." with CRASH_EXIT_CODE (default 1). */
  CRASH_AFTER_MS?: number;
  CRASH_EXIT_CODE?: number;
  /** `1`: the server ignores SIGTERM/SIGHUP/SIGINT (only SIGKILL stops it). */
  IGNORE_SIGTERM?: "1";
  /** Graceful delay between SIGTERM and exit 143. */
  STOP_DELAY_MS?: number;
  /** `1`: the launcher prints "java not found" and exits 0 without a server. */
  NO_JAVA?: "1";
  /** `1`: the launcher starts a second, idle server process (the "multiple servers" case). */
  SECOND_SERVER?: "1";
  /** Orphaned short-lived grandchildren the server forks once started (zombies unless someone reaps). */
  ORPHAN_CHILDREN?: number;
  /** A model name whose `POST /models` answers 507. */
  OOM_MODEL?: string;
  /** The `--python` value the launcher passes to the server. */
  PYTHON?: string;
  /** JSON-lines file every fake process appends a record to (role, pid, ppid, pgid, cmdline, env, config...). */
  RECORD?: string;
}

/** One line of the record file. */
export interface FakeRecord {
  /** `signal`: the server received `signal` and ignored it (IGNORE_SIGTERM). */
  role: "launcher" | "server" | "worker" | "listening" | "request" | "crash" | "signal";
  pid: number;
  ppid: number;
  pgid: number;
  cmdline: string[];
  cwd: string;
  env: Record<string, string>;
  time: number;
  /** Wall-clock ms at which the process started (node's performance.timeOrigin). */
  timeOrigin: number;
  flavor?: FakeFlavor;
  argv?: string[];
  configFile?: string | null;
  configText?: string;
  properties?: Record<string, string>;
  inference?: string;
  method?: string;
  path?: string;
  signal?: NodeJS.Signals;
  ignored?: boolean;
}

/** Environment entries for the knobs (`FAKE_MMS_STARTUP_DELAY_MS` defaults to 0 here to keep tests fast). */
export function fakeEnv(knobs: FakeKnobs = {}): Record<string, string> {
  const env: Record<string, string> = { FAKE_MMS_STARTUP_DELAY_MS: "0" };
  for (const [name, value] of Object.entries(knobs)) {
    if (value !== undefined) env[`FAKE_MMS_${name}`] = String(value);
  }
  return env;
}

export interface FakeLaunchers {
  /** A directory holding only the chosen launchers: put it first on PATH. */
  binDir: string;
  /** The record file (FAKE_MMS_RECORD) the fakes append to. */
  recordFile: string;
  /** PATH with binDir, node's directory and the system directories (nothing else from the caller's PATH). */
  path: string;
  /** Env for the process under test: PATH plus the knobs and the record file. */
  env(knobs?: FakeKnobs): Record<string, string>;
  /** Parsed record lines so far (empty before the first). */
  records(): Promise<FakeRecord[]>;
}

/**
 * Creates `<dir>/bin` with symlinks to the chosen fake launchers (default both) and returns helpers to run a
 * process under test against them.
 */
export async function installFakeLaunchers({
  dir,
  flavors = ["mms", "torchserve"],
}: {
  dir: string;
  flavors?: readonly FakeFlavor[];
}): Promise<FakeLaunchers> {
  const binDir = join(dir, "bin");
  await mkdir(binDir, { recursive: true });
  const names = { mms: "multi-model-server", torchserve: "torchserve" } as const;
  for (const flavor of flavors)
    await symlink(join(FAKE_LAUNCHER_BIN_DIR, names[flavor]), join(binDir, names[flavor]));
  const recordFile = join(dir, "fake-record.jsonl");
  const path = [binDir, dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(":");
  return {
    binDir,
    recordFile,
    path,
    env: (knobs = {}) => ({ PATH: path, ...fakeEnv({ RECORD: recordFile, ...knobs }) }),
    records: async () => {
      const text = await readFile(recordFile, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return "";
        throw error;
      });
      return text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as FakeRecord);
    },
  };
}

/** A process seen in /proc: pid, state letter and argv. */
export interface ProcessInfo {
  pid: number;
  state: string;
  cmdline: string[];
}

/**
 * Every process (zombies included) whose argv or environment contains `needle` — e.g. a test's temp dir, which
 * every process of that test has in TMPDIR. Used to assert that nothing is left behind.
 */
export async function findProcesses(needle: string): Promise<ProcessInfo[]> {
  const found: ProcessInfo[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const [stat, cmdline, environ] = await Promise.all([
        readFile(`/proc/${name}/stat`, "utf8"),
        readFile(`/proc/${name}/cmdline`, "utf8"),
        readFile(`/proc/${name}/environ`, "utf8").catch(() => ""),
      ]);
      if (!cmdline.includes(needle) && !environ.includes(needle)) continue;
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      found.push({ pid: Number(name), state, cmdline: cmdline.split("\0").slice(0, -1) });
    } catch {
      // gone while we looked
    }
  }
  return found;
}

export { freePort } from "../free-port.ts";
