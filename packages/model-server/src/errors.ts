import { ServeError } from "@sagemaker-serve/errors";

/** Stable codes of the failures `@sagemaker-serve/model-server` reports. */
export type ModelServerErrorCode =
  | "MODEL_SERVER_CONFIG_INVALID"
  | "MODEL_SERVER_LISTEN_FAILED"
  | "MODEL_SERVER_MODEL_NOT_FOUND"
  | "MODEL_SERVER_ARCHIVE_FAILED"
  | "MODEL_SERVER_LOAD_FAILED"
  | "MODEL_SERVER_PYTHON_FAILED";

/** A ServeError raised by this package. */
export type ModelServerError = ServeError<ModelServerErrorCode>;

export function modelServerError(
  code: ModelServerErrorCode,
  message: string,
  hint: string,
  cause?: unknown,
): ModelServerError {
  return new ServeError(code, message, { hint, cause });
}
