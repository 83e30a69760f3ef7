import { constants } from "node:fs";
import { access, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { MMS_MAIN_CLASS, TORCHSERVE_MAIN_CLASS } from "./find-server.ts";
import { isAlive, isValidPid, readCmdline } from "./proc-fs.ts";

/** The pid file name MMS and TorchServe share (pytorch/serve#997). */
export const PID_FILE_NAME = ".model_server.pid";

async function usableDir(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isDirectory()) return false;
    await access(path, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Python's `tempfile.gettempdir()`, which both launchers use: the first usable of `$TMPDIR`, `$TEMP`,
 * `$TMP`, `/tmp`, `/var/tmp`, `/usr/tmp`, then the working directory.
 */
export async function pythonTempDir({
  env,
  cwd,
}: {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}): Promise<string> {
  const candidates = [env.TMPDIR, env.TEMP, env.TMP, "/tmp", "/var/tmp", "/usr/tmp", cwd];
  for (const dir of candidates) {
    if (dir !== undefined && dir !== "" && (await usableDir(dir))) return dir;
  }
  return cwd;
}

/** `<python temp dir>/.model_server.pid`, the file the MMS/TorchServe launcher checks before starting. */
export async function modelServerPidFilePath(options: {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}): Promise<string> {
  return join(await pythonTempDir(options), PID_FILE_NAME);
}

/** What `clearStalePidFile` found and did. */
export type StalePidFileResult =
  | { action: "none" }
  | { action: "removed"; reason: "dead" | "unrelated" | "unreadable"; pid: number | null }
  | { action: "kept"; reason: "server-running"; pid: number };

/**
 * Makes a stale pid file harmless before a launcher starts: MMS refuses to start while the recorded pid
 * is alive, whatever process it is (awslabs/multi-model-server#1005). The file is removed when its pid
 * is dead (a zombie counts), belongs to a process without a model-server main class in its argv, or the
 * content is not a pid. It is kept when a real model server owns it.
 */
export async function clearStalePidFile({
  path,
  mainClasses = [MMS_MAIN_CLASS, TORCHSERVE_MAIN_CLASS],
}: {
  path: string;
  mainClasses?: readonly string[];
}): Promise<StalePidFileResult> {
  if (typeof path !== "string" || path === "")
    throw new TypeError("clearStalePidFile: path must be a non-empty string");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { action: "none" };
    throw error;
  }
  const trimmed = text.trim();
  const pid = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  let result: StalePidFileResult;
  if (!isValidPid(pid)) {
    result = { action: "removed", reason: "unreadable", pid: null };
  } else if (!(await isAlive(pid))) {
    result = { action: "removed", reason: "dead", pid };
  } else {
    const argv = (await readCmdline(pid)) ?? [];
    if (argv.some((arg) => mainClasses.includes(arg)))
      return { action: "kept", reason: "server-running", pid };
    result = { action: "removed", reason: "unrelated", pid };
  }
  await rm(path, { force: true });
  return result;
}
