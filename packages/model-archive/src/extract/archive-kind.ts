import { open, stat } from "node:fs/promises";
import { archiveError, errnoCode } from "../errors.ts";

/** What is at a path, judged by content (magic bytes), not by extension. */
export type ArchiveKind = "directory" | "zip" | "tar.gz" | "tar";

/** Detects a directory, a zip (`.mar`), a gzip'd tar or a plain tar; anything else is `ARCHIVE_FORMAT_UNSUPPORTED`. */
export async function detectArchiveKind(path: string): Promise<ArchiveKind> {
  let st;
  try {
    st = await stat(path);
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") {
      throw archiveError(
        "ARCHIVE_NOT_FOUND",
        `Model archive ${path} does not exist.`,
        "check the path",
        error,
      );
    }
    throw error;
  }
  if (st.isDirectory()) return "directory";
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, 512, 0);
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x04034b50) return "zip";
    // An empty zip is just an end record.
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x06054b50) return "zip";
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "tar.gz";
    if (bytesRead >= 262 && head.subarray(257, 262).toString("latin1") === "ustar") return "tar";
  } finally {
    await handle.close();
  }
  throw archiveError(
    "ARCHIVE_FORMAT_UNSUPPORTED",
    `${path} is neither a zip (.mar), a tar.gz nor a directory.`,
    "pass a .mar, a .tar.gz or a model directory",
  );
}
