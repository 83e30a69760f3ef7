import { createReadStream } from "node:fs";
import { Parser, type ReadEntry } from "tar";

/**
 * Streams a tar or tar.gz through node-tar's parser (headers, PAX and GNU long names only; we never let it
 * write) and calls `onEntry` for each member in order; the next member is parsed only after `onEntry` settles.
 * The entry's data must be consumed or `entry.resume()`d. A rejection from `onEntry` stops the read.
 */
export async function readTar(
  path: string,
  onEntry: (entry: ReadEntry) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const input = createReadStream(path, { highWaterMark: 1024 * 1024 });
  const parser = new Parser({ strict: true, maxMetaEntrySize: 1024 * 1024 });
  let failure: unknown;
  let chain = Promise.resolve();
  const fail = (error: unknown): void => {
    failure ??= error;
    input.destroy();
  };
  parser.on("entry", (entry: ReadEntry) => {
    chain = chain.then(async () => {
      if (failure !== undefined) {
        entry.resume();
        return;
      }
      try {
        await onEntry(entry);
      } catch (error) {
        entry.resume();
        fail(error);
      }
    });
  });
  const onAbort = (): void => fail(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      parser.on("error", (error: Error) => {
        fail(error);
        reject(error);
      });
      parser.on("end", () => resolve());
      input.on("error", (error) => {
        fail(error);
        reject(error);
      });
      input.on("close", () => {
        if (failure !== undefined) reject(failure);
      });
      input.on("data", (chunk) => {
        if (!parser.write(chunk as Buffer)) {
          input.pause();
          parser.once("drain", () => input.resume());
        }
      });
      input.on("end", () => parser.end());
    }).catch((error: unknown) => {
      throw failure ?? error;
    });
    await chain;
    if (failure !== undefined) throw failure;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    input.destroy();
  }
}

/** Reads a member of at most `limit` bytes into memory. */
export async function readTarEntry(entry: ReadEntry, limit: number): Promise<Buffer> {
  if (entry.size > limit) throw new RangeError(`${entry.path} is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    entry.on("data", (chunk: Buffer) => chunks.push(chunk));
    entry.on("end", () => resolve());
    entry.on("error", reject);
  });
  return Buffer.concat(chunks);
}
