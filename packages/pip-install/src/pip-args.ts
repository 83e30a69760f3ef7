/**
 * pip's arguments: the toolkit's `-m pip install -r <path>`, then hardening (no version check, never prompt, no
 * cache, no progress bars), then, with a private index, `--index-url <url>` (never credentials; the other index
 * options are neutralised through pip's environment, see `indexOverrideEnv`).
 */
export function buildPipArgs(options: {
  requirementsPath: string;
  indexUrl?: string;
  extraArgs?: string[];
}): string[] {
  const { requirementsPath, indexUrl, extraArgs = [] } = options;
  return [
    "-m",
    "pip",
    "install",
    "-r",
    requirementsPath,
    "--disable-pip-version-check",
    "--no-input",
    "--no-cache-dir",
    "--progress-bar",
    "off",
    ...(indexUrl === undefined ? [] : ["--index-url", indexUrl]),
    ...extraArgs,
  ];
}
