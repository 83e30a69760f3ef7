import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { PythonInfo } from "./python-probe.ts";
import type { RequirementsFile } from "./requirements-file.ts";

/** What a successful install is remembered by: content of every requirements file, interpreter, index, arguments. */
export function installFingerprint(input: {
  files: RequirementsFile[];
  python: PythonInfo;
  indexUrl: string | undefined;
  args: string[];
}): string {
  const { files, python, indexUrl, args } = input;
  return createHash("sha256")
    .update(
      JSON.stringify({
        files: files.map((f) => [f.path, createHash("sha256").update(f.content).digest("hex")]),
        python: [python.executable, python.prefix, python.version, python.sitePackagesMtimes],
        indexUrl: indexUrl ?? null,
        args,
      }),
    )
    .digest("hex");
}

interface StateFile {
  version: 1;
  fingerprint: string;
  requirementsPath: string;
  installedAt: string;
}

/** The fingerprint of the last successful install recorded at `statePath`, or undefined. */
export async function readInstalledFingerprint(statePath: string): Promise<string | undefined> {
  try {
    const state = JSON.parse(await readFile(statePath, "utf8")) as Partial<StateFile>;
    return state.version === 1 && typeof state.fingerprint === "string" ? state.fingerprint : undefined;
  } catch {
    // Missing or unreadable state only means "install again".
    return undefined;
  }
}

/** Records a successful install (no secrets: a hash, a path and a time), atomically. */
export async function writeInstalledFingerprint(
  statePath: string,
  fingerprint: string,
  requirementsPath: string,
): Promise<void> {
  const state: StateFile = {
    version: 1,
    fingerprint,
    requirementsPath,
    installedAt: new Date().toISOString(),
  };
  await mkdir(dirname(statePath), { recursive: true, mode: 0o700 });
  const temp = `${statePath}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, statePath);
}
