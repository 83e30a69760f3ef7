import {
  EnvInvalidError,
  formatProblem,
  parseServeEnvironment,
  type ServeSettings,
} from "@sagemaker-serve/env-config";
import { formatError, isServeError } from "@sagemaker-serve/errors";

/** Flags that stand in for an environment variable (DESIGN decision 7: a flag beats the variable). */
export const FLAG_VARIABLES = {
  backend: "SAGEMAKER_SERVE_BACKEND",
  handler: "SAGEMAKER_SERVE_HANDLER",
} as const;

export const ENV_INVALID_HINT =
  "fix or unset the variables listed; `sagemaker-serve help env` lists each variable's format and default";

export type SettingsResult = { ok: true; settings: ServeSettings } | { ok: false; text: string };

/**
 * Parses the environment with the flag overrides applied. On failure returns the text for stderr: one line per
 * problem, then the hint, so every problem is listed at once.
 */
export function readSettings(
  env: Readonly<Record<string, string | undefined>>,
  flags: Partial<Record<keyof typeof FLAG_VARIABLES, string | undefined>>,
): SettingsResult {
  const merged: Record<string, string | undefined> = { ...env };
  for (const [flag, variable] of Object.entries(FLAG_VARIABLES)) {
    const value = flags[flag as keyof typeof FLAG_VARIABLES];
    if (value !== undefined) merged[variable] = value;
  }
  try {
    return { ok: true, settings: parseServeEnvironment(merged) };
  } catch (error) {
    if (error instanceof EnvInvalidError || (isServeError(error) && error.code === "ENV_INVALID")) {
      const problems = (error as EnvInvalidError).problems ?? [];
      const lines = [`error ENV_INVALID: ${error.message.split(":")[0]}:`];
      for (const problem of problems) lines.push(`  - ${formatProblem(problem)}`);
      // env-config's own hint points at its README, which an image does not have.
      lines.push(`hint: ${ENV_INVALID_HINT}`);
      return { ok: false, text: `${lines.join("\n")}\n` };
    }
    if (isServeError(error)) return { ok: false, text: `${formatError(error)}\n` };
    throw error;
  }
}
