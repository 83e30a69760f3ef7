import { redact } from "./redact.ts";

const SERVE_ERROR_BRAND = Symbol.for("@sagemaker-serve/errors.ServeError");

export interface ServeErrorOptions {
  /** One actionable sentence for the operator. */
  hint?: string;
  /** The error this one wraps; never dropped. */
  cause?: unknown;
}

/**
 * A user-reachable failure with a stable code. Message and hint are redacted when the error is made,
 * so a token registered before it cannot reach a log through it.
 */
export class ServeError<Code extends string = string> extends Error {
  override name = "ServeError";
  readonly code: Code;
  readonly hint: string | undefined;

  constructor(code: Code, message: string, options: ServeErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint === undefined ? undefined : redact(options.hint);
    Object.defineProperty(this, SERVE_ERROR_BRAND, { value: true, enumerable: false });
  }

  toJSON(): { name: string; code: Code; message: string; hint?: string } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
    };
  }
}

/** True for a ServeError from any copy of this package (a bundle and a dependency can both hold one). */
export function isServeError(value: unknown): value is ServeError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[SERVE_ERROR_BRAND] === true &&
    typeof (value as { code?: unknown }).code === "string"
  );
}
