import { rm, type FileHandle } from "node:fs/promises";
import { isServeError } from "@sagemaker-serve/errors";
import type { ArchiveFormat } from "./archive-options.ts";
import { chooseEntryMethod, type Compression, type EntryMethod } from "./compression-policy.ts";
import { abortedError, archiveError, errnoCode, writeError } from "../errors.ts";
import type { SourceFile } from "../files/source-file.ts";
import { commitOutput, tempSibling } from "../io/atomic-output.ts";
import { TarGzWriter } from "../tar/tar-writer.ts";
import { ZipWriter } from "../zip/zip-writer.ts";
import { writeDirectory, type LinkMode, type LinkModeUsed } from "./no-archive.ts";
import type { ProgressReporter } from "./progress.ts";
import type { Target } from "./resolve-target.ts";
import { writeEntries } from "./write-entries.ts";

export interface WriteOutputInput {
  target: Target;
  modelName: string;
  format: ArchiveFormat;
  files: readonly SourceFile[];
  manifest: string;
  compression: Compression;
  linkMode: LinkMode;
  fsync: boolean;
  now: Date;
  progress: ProgressReporter;
  signal: AbortSignal | undefined;
}

export interface Written {
  storedFiles: number;
  linkMode?: LinkModeUsed;
}

/** The common part of both archive writers: add every file, then the manifest, then finish or abandon. */
interface EntryWriter {
  add(file: SourceFile, method: EntryMethod, handle: FileHandle): Promise<number>;
  addManifest(manifest: Buffer): Promise<void>;
  finish(sync: boolean): Promise<void>;
  abandon(): Promise<void>;
}

async function writeArchive(
  writer: EntryWriter,
  chooseMethod: (file: SourceFile) => Promise<EntryMethod>,
  { files, manifest, fsync, progress, signal }: WriteOutputInput,
): Promise<Written> {
  try {
    const storedFiles = await writeEntries({
      files,
      signal,
      chooseMethod,
      add: (file, method, handle) => writer.add(file, method, handle),
      onStart: progress.fileStarted,
      onDone: progress.fileDone,
    });
    await writer.addManifest(Buffer.from(manifest, "utf8"));
    await writer.finish(fsync);
    return { storedFiles };
  } catch (error) {
    await writer.abandon();
    throw error;
  }
}

/** `.mar`: a zip as Python's zipfile writes it; `zip-store` stores every member. */
async function writeMar(temp: string, input: WriteOutputInput): Promise<Written> {
  const { format, compression, now, progress, signal } = input;
  const zip = await ZipWriter.create(temp);
  const storeAll = format === "zip-store";
  return writeArchive(
    {
      add: (file, method, handle) =>
        zip.addFile(
          { name: file.name, mode: file.mode, mtime: new Date(file.mtimeMs), method },
          handle,
          file.size,
          progress.bytes,
          signal,
        ),
      addManifest: (manifest) =>
        zip.addBuffer(
          { name: "MAR-INF/MANIFEST.json", mode: 0o600, mtime: now, method: storeAll ? "store" : "deflate" },
          manifest,
        ),
      finish: (sync) => zip.finish(sync),
      abandon: () => zip.abandon(),
    },
    (file) => (storeAll ? Promise.resolve("store") : chooseEntryMethod(file, compression)),
    input,
  );
}

/** `.tar.gz`: members under `<model name>/`, one gzip stream (stored blocks for incompressible files). */
async function writeTgz(temp: string, input: WriteOutputInput): Promise<Written> {
  const { modelName, compression, progress, signal } = input;
  const tar = await TarGzWriter.create(temp);
  return writeArchive(
    {
      add: (file, method, handle) =>
        tar.addFile(
          {
            name: `${modelName}/${file.name}`,
            mode: file.mode,
            uid: file.uid,
            gid: file.gid,
            mtime: new Date(file.mtimeMs),
            size: file.size,
          },
          method,
          handle,
          progress.bytes,
          signal,
        ),
      addManifest: (manifest) =>
        tar.addBuffer(
          {
            name: `${modelName}/MAR-INF/MANIFEST.json`,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: new Date(0),
            size: 0,
          },
          manifest,
        ),
      finish: (sync) => tar.finish(sync),
      abandon: () => tar.abandon(),
    },
    (file) => chooseEntryMethod(file, compression),
    input,
  );
}

/** no-archive: a directory of links or copies plus the manifest. */
async function writeNoArchive(temp: string, input: WriteOutputInput): Promise<Written> {
  const linkMode = await writeDirectory({
    files: input.files,
    directory: temp,
    manifest: input.manifest,
    linkMode: input.linkMode,
    signal: input.signal,
    onFile: input.progress.wholeFile,
  });
  return { storedFiles: 0, linkMode };
}

const WRITERS: Record<ArchiveFormat, (temp: string, input: WriteOutputInput) => Promise<Written>> = {
  default: writeMar,
  "zip-store": writeMar,
  tgz: writeTgz,
  "no-archive": writeNoArchive,
};

/**
 * Writes the output under a temporary name next to the target and renames it into place, so a failure or a
 * cancellation leaves no partial archive. Errors become ServeErrors naming the export path.
 */
export async function writeOutput(input: WriteOutputInput): Promise<Written> {
  const { target, signal } = input;
  const temp = tempSibling(target.path);
  try {
    if (signal?.aborted) throw abortedError(signal);
    const written = await WRITERS[input.format](temp, input);
    await commitOutput(temp, target.path);
    return written;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (isServeError(error)) throw error;
    if (signal?.aborted) throw abortedError(signal);
    if (errnoCode(error) !== undefined) throw writeError(error, target.exportArg, target.path);
    throw archiveError(
      "ARCHIVE_WRITE_FAILED",
      `Failed to convert ${input.modelName} to the model-archive.`,
      "see the cause; the partial archive was removed",
      error,
    );
  }
}
