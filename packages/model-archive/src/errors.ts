import { isServeError, ServeError } from "@sagemaker-serve/errors";

/** Every code `@sagemaker-serve/model-archive` throws. Codes are API: renaming one is a breaking change. */
export type ModelArchiveErrorCode =
  | "ARCHIVE_INVALID_MODEL_NAME"
  | "ARCHIVE_EXPORT_PATH_INVALID"
  | "ARCHIVE_MODEL_PATH_INVALID"
  | "ARCHIVE_EXISTS"
  | "ARCHIVE_FILE_NOT_FOUND"
  | "ARCHIVE_EXTRA_FILE_INVALID"
  | "ARCHIVE_ONNX_NOT_UNIQUE"
  | "ARCHIVE_CONVERT_UNSUPPORTED"
  | "ARCHIVE_UNSAFE_LINK"
  | "ARCHIVE_UNSUPPORTED_FILE"
  | "ARCHIVE_UNSAFE_NAME"
  | "ARCHIVE_LIMIT_EXCEEDED"
  | "ARCHIVE_NO_SPACE"
  | "ARCHIVE_WRITE_FAILED"
  | "ARCHIVE_FILE_CHANGED"
  | "ARCHIVE_READ_FAILED"
  | "ARCHIVE_ABORTED"
  | "ARCHIVE_NOT_FOUND"
  | "ARCHIVE_CORRUPT"
  | "ARCHIVE_FORMAT_UNSUPPORTED"
  | "MANIFEST_INVALID"
  | "EXTRACT_UNSAFE_ENTRY"
  | "EXTRACT_LIMIT_EXCEEDED"
  | "EXTRACT_DEST_NOT_EMPTY";

/** The error type of this package. */
export type ModelArchiveError = ServeError<ModelArchiveErrorCode>;

export function archiveError(
  code: ModelArchiveErrorCode,
  message: string,
  hint: string,
  cause?: unknown,
): ModelArchiveError {
  return new ServeError(code, message, { hint, ...(cause === undefined ? {} : { cause }) });
}

/** Node's errno code of an unknown error, if any. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

export function abortedError(signal: AbortSignal): ModelArchiveError {
  return archiveError(
    "ARCHIVE_ABORTED",
    "archiving was cancelled",
    "nothing was left behind; run it again",
    signal.reason,
  );
}

/** Maps an I/O failure while writing `target` to NO_SPACE or WRITE_FAILED (Python's message for the latter). */
export function writeError(error: unknown, exportPath: string, target: string): ModelArchiveError {
  if (errnoCode(error) === "ENOSPC" || errnoCode(error) === "EDQUOT") {
    return archiveError(
      "ARCHIVE_NO_SPACE",
      `No space left on device while writing ${target} (ENOSPC); the partial archive was removed.`,
      "free disk space in the export path or use --archive-format no-archive (hard links need no space)",
      error,
    );
  }
  return archiveError(
    "ARCHIVE_WRITE_FAILED",
    `Failed to save the model-archive to model-path "${exportPath}". Check the file permissions and retry.`,
    `the write of ${target} failed (${errnoCode(error) ?? String(error)}); the partial archive was removed`,
    error,
  );
}

/** A failure while reading or extracting `path`: ServeErrors pass through, cancellation wins, the rest is CORRUPT. */
export function readFailure(error: unknown, what: string, hint: string, signal?: AbortSignal): Error {
  if (isServeError(error)) return error;
  if (signal?.aborted) return abortedError(signal);
  return archiveError(
    "ARCHIVE_CORRUPT",
    `${what}: ${error instanceof Error ? error.message : String(error)}`,
    hint,
    error,
  );
}
