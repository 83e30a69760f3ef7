import type { FileHandle } from "node:fs/promises";

/** Writes every byte of `buffers` (writev may write less than asked), at `position` or at the file position. */
export async function writeAll(
  handle: FileHandle,
  buffers: readonly Buffer[],
  position?: number,
): Promise<void> {
  let at = position;
  let pending = buffers.filter((b) => b.length > 0);
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending, at);
    if (at !== undefined) at += bytesWritten;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const b of pending) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      rest.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    pending = rest;
  }
}
