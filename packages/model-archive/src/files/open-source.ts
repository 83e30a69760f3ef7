import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { archiveError } from "../errors.ts";
import type { SourceFile } from "./source-file.ts";

/**
 * Opens a collected file for reading without following a link swapped in since the walk, and without blocking
 * on a FIFO swapped in; refuses anything that is no longer a regular file.
 */
export async function openSourceFile(file: SourceFile): Promise<FileHandle> {
  const handle = await open(file.source, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw archiveError(
      "ARCHIVE_FILE_CHANGED",
      `${file.name} changed while it was being archived: it is no longer a regular file.`,
      "do not modify the model directory while archiving",
    );
  }
  return handle;
}

export function fileChanged(file: SourceFile, bytes: number): Error {
  return archiveError(
    "ARCHIVE_FILE_CHANGED",
    `${file.name} changed while it was being archived (${file.size} bytes when listed, ${bytes} bytes read).`,
    "do not modify the model directory while archiving",
  );
}
