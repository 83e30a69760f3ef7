import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ServeError } from "@sagemaker-serve/errors";

/** The codes of the checks `serve` makes before it installs anything, which `doctor` repeats. */
export type StartCheckCode = "CONFIG_PATH_INVALID" | "CONFIG_WRITE_FAILED" | "WORKER_FILES_MISSING";

export const CONFIG_PATH_HINT =
  "set SAGEMAKER_SERVE_CONFIG_PATH to a file path in a writable directory (the default is under /etc, which needs root)";

/** Where the config path came from, for messages. */
export function configPathSource(configPathSetting: string | undefined): string {
  return configPathSetting === undefined
    ? "the backend's default config path"
    : "SAGEMAKER_SERVE_CONFIG_PATH";
}

async function statOrUndefined(path: string) {
  return stat(path).catch(() => undefined);
}

/**
 * Checks that the server config can be written at `path` (a file name, in a directory that exists or can be
 * created, writable by this user) before anything slow runs. `variable` names where the path came from.
 */
export async function checkConfigPath(path: string, variable: string): Promise<ServeError | undefined> {
  const invalid = (why: string) =>
    new ServeError(
      "CONFIG_PATH_INVALID",
      `${variable} must name a file, got ${JSON.stringify(path)}: ${why}`,
      {
        hint: CONFIG_PATH_HINT,
      },
    );
  if (path.endsWith("/")) return invalid("it ends with /");
  const target = await statOrUndefined(path);
  if (target !== undefined && !target.isFile()) {
    return invalid(target.isDirectory() ? "it is a directory" : "it exists and is not a regular file");
  }
  // The nearest existing ancestor decides: serve creates the missing directories below it.
  let dir = dirname(path);
  let info = await statOrUndefined(dir);
  while (info === undefined && dirname(dir) !== dir) {
    dir = dirname(dir);
    info = await statOrUndefined(dir);
  }
  if (info !== undefined && !info.isDirectory()) return invalid(`${dir} is not a directory`);
  const writable = await access(dir, constants.W_OK | constants.X_OK).then(
    () => true,
    () => false,
  );
  if (writable) return undefined;
  return new ServeError(
    "CONFIG_WRITE_FAILED",
    `cannot write the server config to ${path}: directory ${dir} is not writable by this user`,
    { hint: CONFIG_PATH_HINT },
  );
}

/** The files the built-in server's workers run, shipped as `python/` next to the bundle. */
export const WORKER_FILES = ["model_worker.py", "sagemaker_serve_worker/__init__.py"] as const;

/** Checks that the built-in server's Python worker files are next to the bundle. */
export async function checkWorkerFiles(pythonDir: string): Promise<ServeError | undefined> {
  for (const file of WORKER_FILES) {
    const path = join(pythonDir, file);
    if ((await statOrUndefined(path))?.isFile()) continue;
    return new ServeError(
      "WORKER_FILES_MISSING",
      `the built-in server's worker files are missing: ${path} does not exist`,
      {
        hint: "copy the whole dist/ directory into the image, not the bundle alone: the built-in server needs python/ beside it",
      },
    );
  }
  return undefined;
}
