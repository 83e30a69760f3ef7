import { ServeError } from "@sagemaker-serve/errors";

/** Every `ServeError` code this package throws. */
export type LifecycleErrorCode =
  | "SERVER_SPAWN_FAILED"
  | "SERVER_NOT_FOUND"
  | "SERVER_MULTIPLE"
  | "SERVER_EXITED_BEFORE_READY"
  | "SERVER_NOT_READY"
  | "STARTUP_ABORTED"
  | "STOP_REQUESTED"
  | "TOOL_SPAWN_FAILED"
  | "TOOL_FAILED"
  | "TOOL_TIMEOUT"
  | "TOOL_ABORTED";

/** A `ServeError` from this package. */
export type LifecycleError = ServeError<LifecycleErrorCode>;

/** Shorthand used across the package so codes are checked against the union. */
export function lifecycleError(
  code: LifecycleErrorCode,
  message: string,
  hint: string,
  cause?: unknown,
): LifecycleError {
  return new ServeError(code, message, { hint, ...(cause === undefined ? {} : { cause }) });
}
