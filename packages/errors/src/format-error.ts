import { redact } from "./redact.ts";
import { isServeError } from "./serve-error.ts";

export const BUG_NOTICE =
  "This is a bug in sagemaker-serve, not in your configuration: please report it with the lines above.";

export interface FormatErrorOptions {
  /** Also list the messages of wrapped causes (known errors only). Default false. */
  causes?: boolean;
}

/**
 * Renders an error for a person. A ServeError gives `error CODE: message` and a `hint:` line, no stack;
 * anything else gives its stack and a line saying it is a bug. Everything is redacted.
 */
export function formatError(error: unknown, { causes = false }: FormatErrorOptions = {}): string {
  if (isServeError(error)) {
    const lines = [`error ${error.code}: ${error.message}`];
    if (causes) {
      for (let cause = error.cause; cause !== undefined && cause !== null;) {
        lines.push(`  caused by: ${cause instanceof Error ? cause.message : String(cause)}`);
        cause = cause instanceof Error ? cause.cause : undefined;
      }
    }
    if (error.hint) lines.push(`hint: ${error.hint}`);
    return redact(lines.join("\n"));
  }
  const body =
    error instanceof Error
      ? (error.stack ?? `${error.name}: ${error.message}`)
      : `non-error thrown: ${String(error)}`;
  return redact(`${body}\n${BUG_NOTICE}`);
}
