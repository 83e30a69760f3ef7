import * as v from "valibot";
import type { Outcome } from "./rules.ts";

/** One environment variable: its README row and the valibot schema that turns its raw value into a setting. */
export interface EnvVariable<T = unknown> {
  /** The variable's name, e.g. `SAGEMAKER_BIND_TO_PORT`. */
  readonly name: string;
  /** What applies when it is unset, as shown in the README. */
  readonly defaultValue: string;
  /** How the raw text is read and what is rejected. */
  readonly parsing: string;
  /** The `ServeSettings` field(s) and config keys it becomes. */
  readonly becomes: string;
  /** One sentence on what it is for. */
  readonly description: string;
  /** raw value (undefined = unset) → typed value; failures carry the problem text as the issue message. */
  readonly schema: v.GenericSchema<string | undefined, T>;
}

export interface DefineVariableOptions<T> extends Omit<EnvVariable<T>, "schema"> {
  /** The value when the variable is unset. */
  unset: T;
  /** Treat an empty string like unset (our own settings, and where the toolkit tests truthiness). */
  emptyIsUnset?: boolean;
  /** Checks and converts a present value. */
  parse: (raw: string) => Outcome<T>;
}

/** Builds a variable whose schema applies `parse` to a present value and `unset` otherwise. */
export function defineVariable<T>({
  unset,
  emptyIsUnset = false,
  parse,
  ...row
}: DefineVariableOptions<T>): EnvVariable<T> {
  const schema = v.pipe(
    v.optional(v.string()),
    v.rawTransform<string | undefined, T>(({ dataset, addIssue, NEVER }) => {
      const raw = dataset.value;
      if (raw === undefined || (emptyIsUnset && raw === "")) return unset;
      const outcome = parse(raw);
      if (outcome.ok) return outcome.value;
      addIssue({ message: outcome.problem });
      return NEVER;
    }),
  );
  return { ...row, schema };
}
