import { parseArgs } from "node:util";
import { EXIT } from "../exit-codes.ts";
import { unknownOptionHint, type OptionSpecs } from "../option-hints.ts";
import type { CommandIo } from "./command-io.ts";

type Values = Record<string, string | boolean | undefined>;

/**
 * Parses a command's options (plus --help/-h). Returns the values, or the exit code when the command should
 * stop: its help was printed (0), or the usage error with a better hint where there is one (2).
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  { options, help }: { options: OptionSpecs; help: string },
  io: Pick<CommandIo, "stdout" | "stderr">,
): { values: Values } | { exit: number } {
  const known = { ...options, help: { type: "boolean", short: "h" } } as const satisfies OptionSpecs;
  let values: Values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: known, strict: true, allowPositionals: false }));
  } catch (error) {
    const message = unknownOptionHint(argv, known) ?? (error as Error).message;
    io.stderr(`sagemaker-serve ${command}: ${message}\n${help}`);
    return { exit: EXIT.usage };
  }
  if (values.help === true) {
    io.stdout(help);
    return { exit: EXIT.ok };
  }
  return { values };
}
