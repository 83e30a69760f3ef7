import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface VenvOptions {
  /** Interpreter that creates the venv (`python3` from PATH by default). */
  base?: string;
  /** Environment of the python and pip processes. */
  env: NodeJS.ProcessEnv;
  /** Whether the venv gets pip (default true). */
  pip?: boolean;
}

/** A venv without system site packages: whatever the base interpreter has installed (numpy too) is not visible. */
export async function makeVenv(
  dir: string,
  { base = "python3", env, pip = true }: VenvOptions,
): Promise<string> {
  await run(base, ["-m", "venv", ...(pip ? [] : ["--without-pip"]), dir], { env });
  return join(dir, "bin", "python");
}

export async function hasModule(python: string, module: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const { stdout } = await run(
    python,
    ["-c", `import importlib.util; print(importlib.util.find_spec(${JSON.stringify(module)}) is not None)`],
    { env },
  );
  return stdout.trim() === "True";
}

interface PackageSources {
  indexUrls: string[];
  findLinks: string[];
}

/** The indexes and link folders pip is configured with (files and PIP_* variables), as `pip config list` shows them. */
async function configuredSources(python: string, env: NodeJS.ProcessEnv): Promise<PackageSources> {
  const { stdout } = await run(python, ["-m", "pip", "config", "list"], { env });
  const values = (key: string): string[] =>
    stdout
      .split("\n")
      .filter((line) => line.split("=")[0]?.endsWith(`.${key}`))
      .flatMap((line) =>
        line
          .slice(line.indexOf("=") + 1)
          .replace(/^'|'$/g, "")
          .split(/\s+/),
      )
      .filter((value) => value !== "");
  return {
    indexUrls: [...values("index-url"), ...values("extra-index-url")],
    findLinks: values("find-links"),
  };
}

export type InstallResult = { installed: true } | { installed: false; reason: string };

/**
 * Installs a package into a venv from the package sources pip is configured with, and only from them: the first
 * configured index replaces the default one, so a machine without network does not wait on pypi.org.
 */
export async function installFromConfiguredIndex(
  python: string,
  requirement: string,
  env: NodeJS.ProcessEnv,
): Promise<InstallResult> {
  const { indexUrls, findLinks } = await configuredSources(python, env);
  if (indexUrls.length === 0 && findLinks.length === 0) {
    return { installed: false, reason: "pip has no package index or find-links configured" };
  }
  const [first, ...extra] = indexUrls;
  const args = [
    "-m",
    "pip",
    "install",
    "--disable-pip-version-check",
    "--no-input",
    ...(first === undefined ? ["--no-index"] : ["--index-url", first]),
    ...extra.flatMap((url) => ["--extra-index-url", url]),
    ...findLinks.flatMap((link) => ["--find-links", link]),
    requirement,
  ];
  try {
    await run(python, args, { env, maxBuffer: 16 * 1024 * 1024 });
    return { installed: true };
  } catch (error) {
    const output = String((error as { stderr?: string }).stderr ?? "");
    if (/No matching distribution found|Could not find a version that satisfies/.test(output)) {
      return { installed: false, reason: `no configured index offers ${requirement}: ${output.trim()}` };
    }
    throw error;
  }
}
