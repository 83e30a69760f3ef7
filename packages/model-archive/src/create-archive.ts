import {
  mkdir,
  readdir,
  realpath,
  rename,
  rm,
  stat,
  statfs,
  writeFile,
  type FileHandle,
} from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { isServeError } from "@sagemaker-serve/errors";
import {
  chooseEntryMethod,
  STORED_EXTENSIONS,
  type Compression,
  type EntryMethod,
} from "./compression-policy.ts";
import { commitOutput, pathExists, tempSibling } from "./atomic-output.ts";
import { abortedError, archiveError, errnoCode, writeError } from "./errors.ts";
import { directoryFilter, fileFilter } from "./file-filter.ts";
import { renderMmsManifest, renderTorchServeManifest } from "./manifest.ts";
import { assertValidModelName } from "./model-name.ts";
import { writeDirectory, type LinkMode, type LinkModeUsed } from "./no-archive.ts";
import { fileChanged, openSourceFile } from "./open-source.ts";
import type { CollectLimits, SourceFile } from "./source-file.ts";
import { TarGzWriter } from "./tar-writer.ts";
import { collectTorchServeFiles } from "./torchserve-layout.ts";
import { walkTree } from "./walk-tree.ts";
import { ZipWriter } from "./zip-writer.ts";

/** Which Python tool to behave like. */
export type ArchiveFlavor = "mms" | "torchserve";

/** `default` = `.mar` zip, `zip-store` = `.mar` without compression, `tgz` = `.tar.gz`, `no-archive` = a directory. */
export type ArchiveFormat = "default" | "zip-store" | "tgz" | "no-archive";

/** Output file extension per format (the archivers' `archiving_options`). */
export const ARCHIVE_EXTENSIONS: Readonly<Record<ArchiveFormat, string>> = {
  tgz: ".tar.gz",
  "no-archive": "",
  "zip-store": ".mar",
  default: ".mar",
};

/** Progress of a running `createArchive`. */
export interface ArchiveProgress {
  phase: "write" | "done";
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Archive name of the file being written. */
  file?: string;
}

export interface CreateArchiveOptions {
  /** Default `mms`. */
  flavor?: ArchiveFlavor;
  modelName: string;
  /** MMS: written verbatim. TorchServe: built-in name or a path (`x/h`, `x/h.py`, `x/h:fn`). */
  handler: string;
  /** Default `python`. MMS: python, python2, python3; TorchServe: python, python3, LSP. */
  runtime?: string;
  /** MMS only: the directory that is walked. */
  modelPath?: string;
  /** Default `cwd`. MMS: must exist; TorchServe: created when missing (with a warning). */
  exportPath?: string;
  /** Default `default`. */
  archiveFormat?: ArchiveFormat;
  /** Replace an existing output. */
  force?: boolean;
  /** MMS `--convert`: ONNX to MXNet needs MXNet and is refused when the model has one `.onnx`. */
  convert?: boolean;
  /** TorchServe: `-v/--version`, the model version (required for that flavor). */
  version?: string;
  serializedFile?: string;
  modelFile?: string;
  /** Comma-separated list (as on the command line) or an array: files, directories or globs. */
  extraFiles?: string | readonly string[];
  requirementsFile?: string;
  configFile?: string;
  /** Zip formats only. Default `auto` (`zip-store` always stores). */
  compression?: Compression;
  /** `no-archive` only. Default `auto` (hard links, copies across filesystems). */
  linkMode?: LinkMode;
  /** Resolves relative paths. Default `process.cwd()`. */
  cwd?: string;
  /** Default 1,000,000 files. */
  maxFiles?: number;
  /** Default 1 TiB of input. */
  maxBytes?: number;
  /** fsync the archive before the rename. Default false. */
  fsync?: boolean;
  /** Manifest and zip-entry time. Default `new Date()`. */
  now?: Date;
  signal?: AbortSignal;
  onProgress?: (progress: ArchiveProgress) => void;
  /** Python's `WARNING - ...` lines (overwriting, creating the export dir, unmatched globs). */
  onWarning?: (message: string) => void;
}

export interface CreateArchiveResult {
  /** The archive file or directory written. */
  path: string;
  format: ArchiveFormat;
  flavor: ArchiveFlavor;
  /** The manifest text written to `MAR-INF/MANIFEST.json`. */
  manifest: string;
  files: number;
  bytes: number;
  /** Zip/tgz: how many files were stored rather than deflated. */
  storedFiles: number;
  /** no-archive: how files were placed. */
  linkMode?: LinkModeUsed;
  warnings: string[];
  durationMs: number;
}

const RUNTIMES: Record<ArchiveFlavor, readonly string[]> = {
  mms: ["python", "python2", "python3"],
  torchserve: ["python", "python3", "LSP"],
};

function checkOptions(options: CreateArchiveOptions, flavor: ArchiveFlavor, runtime: string): void {
  const oneOf = (key: string, value: unknown, allowed: readonly string[]): void => {
    if (value !== undefined && !allowed.includes(value as string)) {
      throw new TypeError(`Expected ${key} to be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
    }
  };
  oneOf("flavor", options.flavor, ["mms", "torchserve"]);
  oneOf("archiveFormat", options.archiveFormat, Object.keys(ARCHIVE_EXTENSIONS));
  oneOf("compression", options.compression, ["auto", "deflate", "store"]);
  oneOf("linkMode", options.linkMode, ["auto", "copy", "hardlink", "symlink"]);
  if (typeof options.modelName !== "string")
    throw new TypeError(`Expected modelName to be a string, got ${typeof options.modelName}`);
  if (typeof options.handler !== "string")
    throw new TypeError(`Expected handler to be a string, got ${typeof options.handler}`);
  if (!RUNTIMES[flavor].includes(runtime)) {
    throw new TypeError(
      `Expected runtime to be one of ${RUNTIMES[flavor].join(", ")} for ${flavor}, got "${runtime}"`,
    );
  }
  if (flavor === "mms" && typeof options.modelPath !== "string") {
    throw new TypeError("Expected modelPath (a directory) for the mms flavor");
  }
  if (flavor === "torchserve" && (typeof options.version !== "string" || options.version === "")) {
    throw new TypeError("Expected version (the model version) for the torchserve flavor");
  }
  for (const key of ["maxFiles", "maxBytes"] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new TypeError(`Expected ${key} to be a non-negative number, got ${String(value)}`);
    }
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Writes an MMS (`model-archiver`) or TorchServe (`torch-model-archiver`) model archive with the Python tools'
 * validation order, messages, file selection and manifest bytes. Output is written under a temporary name next
 * to the target and renamed, so a failure or cancellation leaves no partial archive.
 *
 * @throws ServeError with a {@link ModelArchiveErrorCode}; TypeError for misuse.
 */
export async function createArchive(options: CreateArchiveOptions): Promise<CreateArchiveResult> {
  const started = Date.now();
  const {
    flavor = "mms",
    modelName,
    handler,
    runtime = "python",
    archiveFormat = "default",
    force = false,
    compression = "auto",
    linkMode = "auto",
    cwd = process.cwd(),
    maxFiles = 1_000_000,
    maxBytes = 2 ** 40,
    fsync = false,
    now = new Date(),
    signal,
    onProgress,
  } = options;
  checkOptions(options, flavor, runtime);
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  const limits: CollectLimits = { maxFiles, maxBytes };

  // Validation order and messages as in the Python tools (server-and-archive.md §1.6).
  assertValidModelName(modelName);
  const exportArg = options.exportPath ?? cwd;
  const exportPath = resolve(cwd, exportArg);
  if (!(await isDirectory(exportPath))) {
    if (flavor === "torchserve" && !(await pathExists(exportPath))) {
      warn(`Export directory (${exportArg}) does not exist. Creating...`);
      await mkdir(exportPath, { recursive: true });
    } else {
      throw archiveError(
        "ARCHIVE_EXPORT_PATH_INVALID",
        `Given export-path ${exportArg} is not a directory. Point to a valid export-path directory.`,
        "create the directory first or pass --export-path with an existing directory",
      );
    }
  }
  let modelPath: string | undefined;
  if (flavor === "mms") {
    modelPath = resolve(cwd, options.modelPath as string);
    if (!(await isDirectory(modelPath))) {
      throw archiveError(
        "ARCHIVE_MODEL_PATH_INVALID",
        `Given model-path ${options.modelPath} is not a valid directory. Point to a valid model-path directory.`,
        "pass the directory that holds the model files",
      );
    }
  }
  const exportReal = await realpath(exportPath);
  const target = join(exportReal, `${modelName}${ARCHIVE_EXTENSIONS[archiveFormat]}`);
  const displayTarget = join(exportArg, `${modelName}${ARCHIVE_EXTENSIONS[archiveFormat]}`);
  if (await pathExists(target)) {
    if (!force) {
      throw archiveError(
        "ARCHIVE_EXISTS",
        `${displayTarget} already exists.\nPlease specify --force/-f option to overwrite the model archive output file.\nSee -h/--help for more details.`,
        "pass --force/-f to replace it",
      );
    }
    warn(`Overwriting ${displayTarget} ...`);
  }
  if (flavor === "mms" && options.convert === true) await checkConvert(modelPath as string);

  let files: SourceFile[];
  let manifest: string;
  if (flavor === "mms") {
    files = await walkTree({
      root: modelPath as string,
      directoryFilter,
      fileFilter: (name) => fileFilter(name),
      excludeRealPaths: new Set([target]),
      limits,
      signal,
    });
    manifest = renderMmsManifest({ modelName, handler, runtime });
  } else {
    files = await collectTorchServeFiles({
      cwd,
      handler,
      runtime,
      serializedFile: options.serializedFile,
      modelFile: options.modelFile,
      extraFiles: options.extraFiles,
      requirementsFile: options.requirementsFile,
      configFile: options.configFile,
      limits,
      signal,
      onWarning: warn,
    });
    manifest = renderTorchServeManifest({
      modelName,
      handler: handler.split("/").pop() ?? handler,
      runtime,
      modelVersion: options.version as string,
      serializedFile: options.serializedFile?.split("/").pop(),
      modelFile: options.modelFile?.split("/").pop(),
      requirementsFile: options.requirementsFile?.split("/").pop(),
      configFile: options.configFile?.split("/").pop(),
      createdOn: now,
    });
  }
  const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
  const progress: ArchiveProgress = {
    phase: "write",
    filesDone: 0,
    filesTotal: files.length,
    bytesDone: 0,
    bytesTotal,
  };
  const report = (): void => onProgress?.({ ...progress });
  const result = (extra: { storedFiles?: number; linkMode?: LinkModeUsed }): CreateArchiveResult => {
    progress.phase = "done";
    report();
    return {
      path: target,
      format: archiveFormat,
      flavor,
      manifest,
      files: files.length,
      bytes: bytesTotal,
      storedFiles: extra.storedFiles ?? 0,
      ...(extra.linkMode === undefined ? {} : { linkMode: extra.linkMode }),
      warnings,
      durationMs: Date.now() - started,
    };
  };

  if (archiveFormat === "no-archive" && modelPath !== undefined && (await sameDirectory(modelPath, target))) {
    await writeManifestInPlace(target, manifest, exportArg);
    return result({ linkMode: "hardlink" });
  }
  await checkFreeSpace(exportReal, files, archiveFormat, compression, linkMode);

  const temp = tempSibling(target);
  const onBytes = (bytes: number): void => {
    progress.bytesDone += bytes;
    report();
  };
  const nextFile = (file: SourceFile): void => {
    progress.file = file.name;
    report();
  };
  const fileDone = (): void => {
    progress.filesDone += 1;
    report();
  };
  try {
    if (signal?.aborted) throw abortedError(signal);
    let storedFiles = 0;
    let used: LinkModeUsed | undefined;
    if (archiveFormat === "no-archive") {
      used = await writeDirectory({
        files,
        directory: temp,
        manifest,
        linkMode,
        signal,
        onFile: (file) => {
          progress.file = file.name;
          progress.bytesDone += file.size;
          fileDone();
        },
      });
    } else if (archiveFormat === "tgz") {
      const writer = await TarGzWriter.create(temp);
      try {
        storedFiles = await writeEntries({
          files,
          signal,
          chooseMethod: (file) => chooseEntryMethod(file, compression),
          add: (file, method, handle) =>
            writer.addFile(
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
              onBytes,
              signal,
            ),
          onStart: nextFile,
          onDone: fileDone,
        });
        await writer.addBuffer(
          {
            name: `${modelName}/MAR-INF/MANIFEST.json`,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: new Date(0),
            size: 0,
          },
          Buffer.from(manifest, "utf8"),
        );
        await writer.finish();
      } catch (error) {
        await writer.abandon();
        throw error;
      }
    } else {
      const writer = await ZipWriter.create(temp);
      try {
        storedFiles = await writeEntries({
          files,
          signal,
          chooseMethod: (file) =>
            archiveFormat === "zip-store" ? Promise.resolve("store") : chooseEntryMethod(file, compression),
          add: (file, method, handle) =>
            writer.addFile(
              { name: file.name, mode: file.mode, mtime: new Date(file.mtimeMs), method },
              handle,
              file.size,
              onBytes,
              signal,
            ),
          onStart: nextFile,
          onDone: fileDone,
        });
        await writer.addBuffer(
          {
            name: "MAR-INF/MANIFEST.json",
            mode: 0o600,
            mtime: now,
            method: archiveFormat === "zip-store" ? "store" : "deflate",
          },
          Buffer.from(manifest, "utf8"),
        );
        await writer.finish(fsync);
      } catch (error) {
        await writer.abandon();
        throw error;
      }
    }
    await commitOutput(temp, target);
    return result({ storedFiles, ...(used === undefined ? {} : { linkMode: used }) });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (isServeError(error)) throw error;
    if (signal?.aborted) throw abortedError(signal);
    if (errnoCode(error) !== undefined) throw writeError(error, exportArg, target);
    throw archiveError(
      "ARCHIVE_WRITE_FAILED",
      `Failed to convert ${modelName} to the model-archive.`,
      "see the cause; the partial archive was removed",
      error,
    );
  }
}

interface WriteEntriesOptions {
  files: readonly SourceFile[];
  signal: AbortSignal | undefined;
  chooseMethod: (file: SourceFile) => Promise<EntryMethod>;
  /** Writes one entry from the open file; resolves the bytes read. */
  add: (file: SourceFile, method: EntryMethod, handle: FileHandle) => Promise<number>;
  onStart: (file: SourceFile) => void;
  onDone: () => void;
}

/** Feeds every file to a zip or tar writer; returns how many were stored rather than deflated. */
async function writeEntries(options: WriteEntriesOptions): Promise<number> {
  let stored = 0;
  for (const file of options.files) {
    if (options.signal?.aborted) throw abortedError(options.signal);
    options.onStart(file);
    const method = await options.chooseMethod(file);
    if (method === "store") stored += 1;
    const handle = await openSourceFile(file);
    try {
      const read = await options.add(file, method, handle);
      if (read !== file.size) throw fileChanged(file, read);
    } finally {
      await handle.close();
    }
    options.onDone();
  }
  return stored;
}

async function sameDirectory(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => undefined)]);
  return rb !== undefined && ra === rb;
}

async function writeManifestInPlace(directory: string, manifest: string, exportArg: string): Promise<void> {
  const dir = join(directory, "MAR-INF");
  const file = join(dir, "MANIFEST.json");
  const temp = tempSibling(file);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, manifest, { mode: 0o644, flag: "wx" });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw writeError(error, exportArg, file);
  }
}

async function checkConvert(modelPath: string): Promise<void> {
  const onnx = (await readdir(modelPath)).filter((name) => name.endsWith(".onnx")).sort();
  if (onnx.length > 1) {
    throw archiveError(
      "ARCHIVE_ONNX_NOT_UNIQUE",
      `model-archiver expects only one .onnx file in the folder. Found ${onnx.length} files [${onnx
        .map((n) => `'${n}'`)
        .join(", ")}] in model-path.`,
      "keep a single .onnx file in the top level of the model directory",
    );
  }
  if (onnx.length === 1) {
    throw archiveError(
      "ARCHIVE_CONVERT_UNSUPPORTED",
      `--convert would convert ${onnx[0]} to MXNet, which needs the mxnet and onnx Python packages; sagemaker-serve does not convert models.`,
      "convert the model beforehand with model-archiver, or drop --convert to archive the .onnx file as it is",
    );
  }
}

async function checkFreeSpace(
  exportReal: string,
  files: readonly SourceFile[],
  format: ArchiveFormat,
  compression: Compression,
  linkMode: LinkMode,
): Promise<void> {
  if (format === "no-archive" && linkMode !== "copy") return;
  const storesAll = format === "no-archive" || format === "zip-store" || compression === "store";
  const needed = files.reduce(
    (sum, f) => sum + (storesAll || STORED_EXTENSIONS.has(extname(f.name).toLowerCase()) ? f.size : 0),
    0,
  );
  const fs = await statfs(exportReal);
  const free = fs.bavail * fs.bsize;
  if (needed > free) {
    throw archiveError(
      "ARCHIVE_NO_SPACE",
      `The archive needs at least ${needed} bytes in ${exportReal} but only ${free} bytes are free.`,
      "free disk space or use --archive-format no-archive (hard links need no space)",
    );
  }
}
