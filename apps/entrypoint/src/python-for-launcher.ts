import { open } from "node:fs/promises";
import { basename } from "node:path";

/** The interpreter a `#!` line names when it is a Python (`#!/usr/bin/python3`, `#!/usr/bin/env python3.11`). */
export function pythonFromShebang(firstLine: string): string | undefined {
  if (!firstLine.startsWith("#!")) return undefined;
  const words = firstLine.slice(2).trim().split(/\s+/);
  let interpreter = words[0];
  if (interpreter !== undefined && basename(interpreter) === "env") {
    interpreter = words.slice(1).find((word) => !word.startsWith("-") && !word.includes("="));
  }
  if (interpreter === undefined || !/^python[0-9.]*$/.test(basename(interpreter))) return undefined;
  return interpreter;
}

/** Reads the first line of a launcher script (at most 512 bytes) without loading the file. */
export async function readShebang(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("utf8").split("\n")[0] ?? "";
  } finally {
    await handle.close();
  }
}

export interface PythonChoice {
  python: string;
  /** Where the choice came from, for the log line. */
  source: string;
}

/**
 * The Python that requirements go into: `SAGEMAKER_SERVE_PYTHON` when set; else the interpreter of the
 * launcher's `#!` line (MMS and TorchServe start their workers with the Python running their launcher);
 * else `python3`.
 */
export async function choosePython({
  explicit,
  launcherPath,
}: {
  explicit: string | undefined;
  launcherPath: string | undefined;
}): Promise<PythonChoice> {
  if (explicit) return { python: explicit, source: "SAGEMAKER_SERVE_PYTHON" };
  if (launcherPath !== undefined) {
    const fromShebang = pythonFromShebang(await readShebang(launcherPath).catch(() => ""));
    if (fromShebang !== undefined) return { python: fromShebang, source: `the #! line of ${launcherPath}` };
  }
  return { python: "python3", source: "default" };
}
