import { execa } from "execa";
import { AMBIENT_INDEX_PY, type AmbientIndexSetting } from "./ambient-index.ts";

/** What the install fingerprint needs to know about an interpreter. */
export interface PythonInfo {
  executable: string;
  prefix: string;
  version: string;
  /** Whether `import pip` would work. */
  hasPip: boolean;
  /** Modification times of purelib and platlib: an install or uninstall by anyone changes them. */
  sitePackagesMtimes: Array<string | null>;
  /** With `ambientIndex`: the index settings pip would take from its environment and configuration files. */
  ambientIndex?: AmbientIndexSetting[];
}

const SCRIPT = `
import importlib.util, json, os, sys, sysconfig
def mtime(p):
    try:
        return str(os.stat(p).st_mtime_ns)
    except OSError:
        return None
paths = sysconfig.get_paths()
info = {"executable": sys.executable, "prefix": sys.prefix, "version": sys.version,
  "hasPip": importlib.util.find_spec("pip") is not None,
  "sitePackagesMtimes": [mtime(paths["purelib"]), mtime(paths["platlib"])]}
`;
const PRINT = `print(json.dumps(info))\n`;
// One interpreter start for both: on a loaded machine each start costs a noticeable part of pip's time budget.
const WITH_AMBIENT_INDEX = `${AMBIENT_INDEX_PY}\nif info["hasPip"]:\n    info["ambientIndex"] = ambient_index_settings()\n`;

export type ProbeOutcome =
  { ok: true; info: PythonInfo } | { ok: false; reason: "not-found" | "failed"; detail: string };

/**
 * Runs the interpreter once to learn its identity and whether it has pip, and with `ambientIndex` the index
 * settings of pip's environment.
 */
export async function probePython(options: {
  python: string;
  env: Record<string, string | undefined>;
  cwd?: string;
  signal: AbortSignal;
  ambientIndex?: boolean;
}): Promise<ProbeOutcome> {
  const { python, env, cwd, signal, ambientIndex = false } = options;
  const script = SCRIPT + (ambientIndex ? WITH_AMBIENT_INDEX : "") + PRINT;
  const result = await execa(python, ["-c", script], {
    env,
    extendEnv: true,
    cwd,
    stdin: "ignore",
    reject: false,
    cancelSignal: signal,
    forceKillAfterDelay: 1000,
  });
  if (signal.aborted) throw signal.reason;
  if (result.failed && result.exitCode === undefined) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    return {
      ok: false,
      reason: code === "ENOENT" || code === "EACCES" ? "not-found" : "failed",
      detail: code ?? result.shortMessage ?? "could not start",
    };
  }
  if (result.exitCode !== 0) {
    return {
      ok: false,
      reason: "failed",
      detail: String(result.stderr).split("\n").slice(-3).join(" ").trim(),
    };
  }
  const last = String(result.stdout).trim().split("\n").pop() ?? "";
  try {
    return { ok: true, info: JSON.parse(last) as PythonInfo };
  } catch {
    return { ok: false, reason: "failed", detail: `unexpected output: ${last.slice(0, 200)}` };
  }
}
