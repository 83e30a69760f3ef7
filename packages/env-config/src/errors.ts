import { ServeError } from "@sagemaker-serve/errors";

/** Every error code this package throws. */
export type EnvConfigErrorCode = "ENV_INVALID" | "CONFIG_VALUE_INVALID";

/** One bad variable: its name, what is wrong, and the `(got "...")` text (redacted when it looks secret). */
export interface EnvProblem {
  name: string;
  problem: string;
  received: string;
}

/** The line for one problem: `NAME: problem (got "value")`. */
export function formatProblem({ name, problem, received }: EnvProblem): string {
  return `${name}: ${problem} ${received}`;
}

/** Thrown by `parseServeEnvironment` with every problem found, in the order of the variable table. */
export class EnvInvalidError extends ServeError<"ENV_INVALID"> {
  readonly problems: readonly EnvProblem[];

  constructor(problems: readonly EnvProblem[]) {
    const count =
      problems.length === 1 ? "1 environment variable is" : `${problems.length} environment variables are`;
    super("ENV_INVALID", `${count} invalid: ${problems.map(formatProblem).join("; ")}`, {
      hint: "fix or unset the variables listed; the env-config README gives each variable's format",
    });
    this.problems = problems;
  }
}
