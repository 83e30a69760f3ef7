import { archiveError } from "../errors.ts";

/** The model-name filter both archivers apply (also the TorchServe server's). */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_\-.]*$/;

/** True when `name` passes the archivers' model-name regex. */
export function isValidModelName(name: string): boolean {
  return MODEL_NAME_PATTERN.test(name);
}

/** Throws `ARCHIVE_INVALID_MODEL_NAME` with the Python tools' exact message. */
export function assertValidModelName(name: string): void {
  if (!isValidModelName(name)) {
    throw archiveError(
      "ARCHIVE_INVALID_MODEL_NAME",
      "Model name contains special characters.\nThe allowed regular expression filter for model name is: ^[A-Za-z0-9][A-Za-z0-9_\\-.]*$",
      `use letters, digits, "_", "-" and "." and start with a letter or digit (got "${name}")`,
    );
  }
}
