import type { Readable } from "node:stream";
import { open as openYauzl, type Entry, type ZipFile } from "yauzl";

/**
 * Opens a zip for lazy, sequential reading of its central directory. Names are left undecoded (read them with
 * {@link zipEntryName}) so that our own name checks, not yauzl's rewriting of backslashes, decide what is safe.
 */
export function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    openYauzl(
      path,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true },
      (error, zip) => (error ? reject(error) : resolve(zip)),
    );
  });
}

/** Every entry of `zip` in central-directory order. */
export async function* zipEntries(zip: ZipFile): AsyncGenerator<Entry> {
  for (;;) {
    const entry = await new Promise<Entry | undefined>((resolve, reject) => {
      const cleanup = (): void => {
        zip.off("entry", onEntry);
        zip.off("end", onEnd);
        zip.off("error", onError);
      };
      const onEntry = (e: Entry): void => {
        cleanup();
        resolve(e);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(undefined);
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      zip.on("entry", onEntry);
      zip.on("end", onEnd);
      zip.on("error", onError);
      zip.readEntry();
    });
    if (entry === undefined) return;
    yield entry;
  }
}

/** The (decompressed, size- and CRC-checked) contents of one entry. */
export function openZipEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream)));
  });
}

/** Reads an entry of at most `limit` bytes into memory. */
export async function readZipEntry(zip: ZipFile, entry: Entry, limit: number): Promise<Buffer> {
  if (entry.uncompressedSize > limit)
    throw new RangeError(`${zipEntryName(entry)} is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  for await (const chunk of await openZipEntry(zip, entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The Unix mode of an entry written on Unix (create_system 3), else undefined. */
export function zipEntryMode(entry: Entry): number | undefined {
  return entry.versionMadeBy >> 8 === 3 ? entry.externalFileAttributes >>> 16 : undefined;
}

/** The entry name: UTF-8 when the zip says so (flag 0x800), else Latin-1 (ASCII names read the same either way). */
export function zipEntryName(entry: Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  return raw.toString((entry.generalPurposeBitFlag & 0x800) !== 0 ? "utf8" : "latin1");
}
