import type { FileHandle } from "node:fs/promises";

/** Chunk size for copying file data: big enough to amortise syscalls, small enough to keep memory flat. */
export const COPY_CHUNK = 4 * 1024 * 1024;

/**
 * Reads a file front to back in chunks, reading the next chunk while the caller handles the current one (two
 * buffers in turn). A yielded buffer is valid until the caller asks for the next one.
 */
export async function* readAhead(handle: FileHandle, chunkSize: number = COPY_CHUNK): AsyncGenerator<Buffer> {
  const buffers: [Buffer, Buffer] = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
  let index: 0 | 1 = 0;
  let position = 0;
  let next: Promise<{ bytesRead: number }> = handle.read(buffers[0], 0, chunkSize, 0);
  try {
    for (;;) {
      const { bytesRead } = await next;
      if (bytesRead === 0) return;
      const current = buffers[index].subarray(0, bytesRead);
      position += bytesRead;
      index = index === 0 ? 1 : 0;
      next = handle.read(buffers[index], 0, chunkSize, position);
      yield current;
    }
  } finally {
    await next.catch(() => undefined);
  }
}
