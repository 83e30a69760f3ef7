import { installRequirements } from "@sagemaker-serve/pip-install";
import type { InstallRequirements } from "./runtime.ts";

/** `serve`'s requirements step, done by @sagemaker-serve/pip-install (hardened flags, private credentials file). */
export const installRequirementsWithPip: InstallRequirements = async ({
  python,
  requirementsPath,
  index,
  cwd,
  timeoutMs,
  force,
  allowIndexOptions,
  signal,
  onLine,
  onWarning,
}) => {
  const result = await installRequirements({
    python,
    requirementsPath,
    ...(index === undefined
      ? {}
      : { index: { indexUrl: index.indexUrl, username: index.username, password: index.password } }),
    timeoutMs,
    force,
    allowIndexOptions,
    signal,
    cwd,
    onLine: (line) => onLine(line),
    onWarning,
  });
  return {
    skipped: result.skipped,
    ...(result.skipped
      ? { detail: result.reason === "unchanged" ? "unchanged since the last install" : result.reason }
      : {}),
  };
};
