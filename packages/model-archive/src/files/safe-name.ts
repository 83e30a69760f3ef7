import { archiveError } from "../errors.ts";

// C0 controls, DEL and backslash: legal on Linux, but they break zip readers, logs and Windows tools.
const UNSAFE_CHARACTERS = /[\p{Cc}\\]/u;

/** Decodes a directory entry name read as bytes; refuses names that are not UTF-8 or contain unsafe characters. */
export function decodeEntryName(raw: Buffer, parentName: string): string {
  const name = raw.toString("utf8");
  const where = parentName === "" ? name : `${parentName}/${name}`;
  if (!Buffer.from(name, "utf8").equals(raw)) {
    throw archiveError(
      "ARCHIVE_UNSAFE_NAME",
      `File name ${JSON.stringify(where)} is not valid UTF-8.`,
      "rename the file to a UTF-8 name",
    );
  }
  if (UNSAFE_CHARACTERS.test(name)) {
    throw archiveError(
      "ARCHIVE_UNSAFE_NAME",
      `File name ${JSON.stringify(where)} contains a control character or a backslash.`,
      "rename the file; names with newlines, NUL or backslashes are not archived",
    );
  }
  return name;
}

/** Refuses two names in one directory that differ only by Unicode normalisation (they collide on macOS and in some readers). */
export function assertNoNormalisationTwins(names: readonly string[], parentName: string): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    const key = name.normalize("NFC");
    const other = seen.get(key);
    if (other !== undefined) {
      const dir = parentName === "" ? "the model directory" : JSON.stringify(parentName);
      throw archiveError(
        "ARCHIVE_UNSAFE_NAME",
        `Files ${JSON.stringify(other)} and ${JSON.stringify(name)} in ${dir} differ only by Unicode normalisation.`,
        "rename one of them",
      );
    }
    seen.set(key, name);
  }
}
