import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

export interface TempDirOptions {
  /** Prefix of the directory name. Default `sagemaker-serve-test-`. */
  prefix?: string;
  /** Keep the directory after the test for debugging. Default: `KEEP_TMP=1` in the environment. */
  keep?: boolean;
  /** Parent directory. Default the OS temp dir. */
  parent?: string;
}

export interface TempDir {
  path: string;
  /** Removes the directory now (idempotent). */
  cleanup: () => Promise<void>;
}

function keepByDefault(): boolean {
  return process.env.KEEP_TMP === "1";
}

/** Makes a fresh temp directory; the caller owns cleanup. */
export async function makeTempDir({
  prefix = "sagemaker-serve-test-",
  keep = keepByDefault(),
  parent = tmpdir(),
}: TempDirOptions = {}): Promise<TempDir> {
  const path = await mkdtemp(join(parent, prefix));
  let removed = false;
  return {
    path,
    cleanup: async () => {
      if (removed) return;
      removed = true;
      if (keep) {
        process.stderr.write(`KEEP_TMP: kept ${path}\n`);
        return;
      }
      await rm(path, { recursive: true, force: true });
    },
  };
}

/** Makes a temp directory removed when the current vitest test finishes (kept with `KEEP_TMP=1`). */
export async function useTempDir(options: TempDirOptions = {}): Promise<string> {
  const dir = await makeTempDir(options);
  onTestFinished(dir.cleanup);
  return dir.path;
}
