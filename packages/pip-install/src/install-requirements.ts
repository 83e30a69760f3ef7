import { tmpdir } from "node:os";
import { join } from "node:path";
import { redact, redactArgs, registerSecret } from "@sagemaker-serve/errors";
import { ambientFileViolations, describeOverrides, indexOverrideEnv } from "./ambient-index.ts";
import { writeCredentialsFile, type CredentialsFile } from "./credentials-file.ts";
import { PipInstallError, type PipInstallErrorOptions, type PolicyViolation } from "./errors.ts";
import {
  brokenPython,
  installFailed,
  lineName,
  noPip,
  notStartable,
  policyError,
  timedOut,
} from "./failures.ts";
import { installFingerprint, readInstalledFingerprint, writeInstalledFingerprint } from "./install-state.ts";
import { buildPipArgs } from "./pip-args.ts";
import { probePython, type PythonInfo } from "./python-probe.ts";
import { readRequirements, type ReadRequirementsResult } from "./requirements-file.ts";
import { runPip } from "./run-pip.ts";

/** A package index, with credentials kept apart from the URL (the shape `resolvePipIndex` returns). */
export interface PipIndex {
  /** The index URL (`.../simple/`). Credentials in it are moved out of the URL before pip sees it. */
  indexUrl: string;
  username?: string;
  password?: string;
}

export interface InstallRequirementsOptions {
  /** The requirements file (`<model_dir>/code/requirements.txt`). Absent means nothing to install. */
  requirementsPath: string;
  /** The interpreter to run `-m pip` with (`python3`, or an absolute path). */
  python: string;
  /**
   * A private index that replaces PyPI (`--index-url`). With it every other index source of pip's environment
   * (`index-url`, `extra-index-url`, `find-links`, `no-index` from `PIP_*` variables and configuration files) is
   * overridden, with a warning naming each; the rest of pip's configuration applies. Credentials go through a
   * private netrc.
   */
  index?: PipIndex;
  /** Wall-clock budget for the install, probe included; pip's whole process group is killed when it passes. */
  timeoutMs: number;
  /** Cancels the install: pip's group is killed, the credentials removed, and the promise rejects with the reason. */
  signal?: AbortSignal;
  /** Receives pip's output line by line, already redacted. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Receives warnings of this package (allowed policy violations). Default: `onLine` with a `warning: ` prefix. */
  onWarning?: (message: string) => void;
  /** With a private index, allow lines that change where packages come from (with a warning). Default false. */
  allowIndexOptions?: boolean;
  /** Reinstall even when this exact install already succeeded in this container. Default false. */
  force?: boolean;
  /**
   * Where the last successful install is remembered; `false` turns the skip off.
   * Default `<os tmpdir>/sagemaker-serve/pip-install-state.json` (lives as long as the container's /tmp).
   */
  statePath?: string | false;
  /** Where the private credentials directory is made. Default the OS temp dir. */
  tmpDir?: string;
  /** Variables added to (or, when `undefined`, removed from) the environment pip inherits. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Extra pip arguments appended after ours (`--only-binary=:all:`, `--require-hashes`, ...). */
  extraArgs?: string[];
  /** Return the command without running anything. Default false. */
  dryRun?: boolean;
  /** How many of pip's last lines an error keeps. Default 20. */
  tailLines?: number;
}

export interface InstallRequirementsResult {
  /** True when pip did not run. */
  skipped: boolean;
  /** Why: pip ran, the file is absent or has no lines, the same install already succeeded, or a dry run. */
  reason: "installed" | "absent" | "empty" | "unchanged" | "dry-run";
  /** The interpreter (that ran or would have run). */
  command: string;
  /** pip's arguments, redacted. */
  args: string[];
  durationMs: number;
}

function assertOptions(options: InstallRequirementsOptions): void {
  const { requirementsPath, python, timeoutMs, index } = options;
  if (typeof requirementsPath !== "string" || requirementsPath === "") {
    throw new TypeError(
      `installRequirements: requirementsPath must be a non-empty string, got ${String(requirementsPath)}`,
    );
  }
  if (typeof python !== "string" || python === "") {
    throw new TypeError(`installRequirements: python must be a non-empty string, got ${String(python)}`);
  }
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`installRequirements: timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  }
  if (index !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(index.indexUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      throw new TypeError(
        `installRequirements: index.indexUrl must be an http(s) URL, got ${redact(String(index.indexUrl))}`,
      );
    }
    if (index.password !== undefined && index.username === undefined) {
      throw new TypeError("installRequirements: index.password needs index.username");
    }
  }
}

/** Splits credentials out of the index URL: pip gets the bare URL, the netrc gets user and password. */
function splitIndex(index: PipIndex): { url: string; host: string; username?: string; password?: string } {
  const url = new URL(index.indexUrl);
  const username = index.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = index.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  url.username = "";
  url.password = "";
  return { url: url.toString(), host: url.hostname, username, password };
}

/**
 * Installs a requirements file with `<python> -m pip install -r <path>` plus hardening flags, from PyPI (the
 * environment's pip configuration applies, as in the Python toolkit) or from a private index (the only package
 * source: ambient index settings overridden, the rest of pip's configuration kept; credentials only in a private
 * netrc). An absent file is not an error; an install that already succeeded in this container with the same files,
 * interpreter and index is skipped unless `force`.
 *
 * @throws PipInstallError with code PIP_INSTALL_FAILED (message contains the toolkit's
 *   `failed to install required packages`), PIP_TIMEOUT, PIP_NOT_AVAILABLE, REQUIREMENTS_POLICY or
 *   REQUIREMENTS_UNREADABLE.
 * @throws `signal.reason` when `signal` aborts.
 */
export async function installRequirements(
  options: InstallRequirementsOptions,
): Promise<InstallRequirementsResult> {
  assertOptions(options);
  const {
    requirementsPath,
    python,
    index,
    timeoutMs,
    signal = new AbortController().signal,
    onLine = () => {},
    allowIndexOptions = false,
    force = false,
    statePath = join(tmpdir(), "sagemaker-serve", "pip-install-state.json"),
    tmpDir = tmpdir(),
    env = {},
    cwd,
    extraArgs = [],
    dryRun = false,
    tailLines = 20,
  } = options;
  const onWarning = options.onWarning ?? ((message: string) => onLine(`warning: ${message}`, "stderr"));
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const split = index === undefined ? undefined : splitIndex(index);
  if (split?.password !== undefined && split.password.length >= 6) registerSecret(split.password);
  const args = buildPipArgs({ requirementsPath, indexUrl: split?.url, extraArgs });
  const shownArgs = redactArgs(args);
  const result = (reason: InstallRequirementsResult["reason"]): InstallRequirementsResult => ({
    skipped: reason !== "installed",
    reason,
    command: python,
    args: shownArgs,
    durationMs: elapsed(),
  });
  const details = (extra: PipInstallErrorOptions = {}): PipInstallErrorOptions => ({
    command: python,
    args: shownArgs,
    durationMs: elapsed(),
    ...extra,
  });
  if (signal.aborted) throw signal.reason;
  if (dryRun) return result("dry-run");

  let requirements: ReadRequirementsResult;
  try {
    requirements = await readRequirements(requirementsPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new PipInstallError(
      "REQUIREMENTS_UNREADABLE",
      `cannot read requirements file ${requirementsPath}: ${code}`,
      {
        ...details(),
        hint: "make the requirements file (and the files it includes with -r/-c) readable regular files",
        cause: error,
      },
    );
  }
  const top = requirements.files[0];
  if (top === undefined) return result("absent");
  if (top.lines.length === 0) return result("empty");

  const enforcePolicy = (violations: PolicyViolation[]) => {
    if (violations.length === 0) return;
    if (!allowIndexOptions) throw policyError(violations, requirementsPath, details());
    for (const violation of violations) {
      onWarning(
        `${lineName(violation, requirementsPath)}: ${violation.option} changes where packages come from; allowed by configuration`,
      );
    }
  };
  if (index !== undefined) enforcePolicy(requirements.violations);

  const probeEnv: Record<string, string | undefined> = { ...env, PYTHONUNBUFFERED: "1" };
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const stop = AbortSignal.any([signal, timeout.signal]);
  const probe = async (ambientIndex = false) => {
    try {
      return await probePython({ python, env: probeEnv, cwd, signal: stop, ambientIndex });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (timeout.signal.aborted) throw timedOut(requirementsPath, timeoutMs, details());
      throw error;
    }
  };
  let credentials: CredentialsFile | undefined;
  try {
    // With a private index the probe also lists pip's ambient index settings, for the override below.
    const before = await probe(split !== undefined);
    if (!before.ok) {
      throw before.reason === "not-found"
        ? notStartable(python, before.detail, details())
        : brokenPython(python, before.detail, details());
    }
    if (!before.info.hasPip) throw noPip(python, details());
    const fingerprintOf = (info: PythonInfo) =>
      installFingerprint({ files: requirements.files, python: info, indexUrl: split?.url, args });
    if (
      statePath !== false &&
      !force &&
      (await readInstalledFingerprint(statePath)) === fingerprintOf(before.info)
    ) {
      return result("unchanged");
    }

    let pipEnv = { ...probeEnv };
    if (split !== undefined) {
      const ambient = before.info.ambientIndex ?? [];
      enforcePolicy(await ambientFileViolations(ambient, cwd));
      const overridden = describeOverrides(ambient);
      if (overridden !== undefined) onWarning(overridden);
      pipEnv = { ...pipEnv, ...indexOverrideEnv(ambient) };
      if (split.username !== undefined) {
        credentials = await writeCredentialsFile({
          tmpDir,
          host: split.host,
          username: split.username,
          password: split.password ?? "",
        });
        pipEnv.NETRC = credentials.path;
        // The token must be gone by the time abort() returns: a crashing caller exits right after it.
        signal.addEventListener("abort", credentials.removeNow, { once: true });
      }
    }
    if (signal.aborted) throw signal.reason;
    const outcome = await runPip({
      python,
      args,
      env: pipEnv,
      cwd,
      timeoutMs: Math.max(1, timeoutMs - elapsed()),
      signal,
      onLine,
      tailLines,
    });
    if (outcome.aborted) throw signal.reason;
    const failure = details({ exitCode: outcome.exitCode, signal: outcome.signal, outputTail: outcome.tail });
    if (outcome.timedOut) throw timedOut(requirementsPath, timeoutMs, failure);
    if (outcome.spawnError !== undefined) throw notStartable(python, outcome.spawnError, failure);
    if (outcome.exitCode !== 0) {
      if (outcome.tail.some((line) => line.includes("No module named pip"))) throw noPip(python, failure);
      throw installFailed(requirementsPath, outcome.tail, split?.password !== undefined, failure);
    }
    await credentials?.remove();
    if (statePath !== false) {
      const after = await probe().catch(() => undefined);
      if (after?.ok) {
        // Failing to remember the install only costs a reinstall next time; it does not fail this one.
        await writeInstalledFingerprint(statePath, fingerprintOf(after.info), requirementsPath).catch(
          (error: unknown) =>
            onWarning(`could not record the install in ${statePath}: ${(error as Error).message}`),
        );
      }
    }
    return result("installed");
  } finally {
    clearTimeout(timer);
    if (credentials) signal.removeEventListener("abort", credentials.removeNow);
    await credentials?.remove();
  }
}
