import { mkdir, realpath, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { isServeError } from "@sagemaker-serve/errors";
import {
  ARCHIVE_EXTENSIONS,
  checkOptions,
  type ArchiveProgress,
  type CreateArchiveOptions,
  type CreateArchiveResult,
} from "./archive-options.ts";
import { commitOutput, pathExists, tempSibling } from "./atomic-output.ts";
import { chooseEntryMethod } from "./compression-policy.ts";
import { abortedError, archiveError, errnoCode, writeError } from "./errors.ts";
import { directoryFilter, fileFilter } from "./file-filter.ts";
import { renderMmsManifest, renderTorchServeManifest } from "./manifest.ts";
import { assertValidModelName } from "./model-name.ts";
import { writeDirectory, type LinkModeUsed } from "./no-archive.ts";
import { checkConvert, checkFreeSpace, isDirectory, sameDirectory } from "./preflight-checks.ts";
import type { CollectLimits, SourceFile } from "./source-file.ts";
import { TarGzWriter } from "./tar-writer.ts";
import { collectTorchServeFiles } from "./torchserve-layout.ts";
import { walkTree } from "./walk-tree.ts";
import { writeEntries, writeManifestInPlace } from "./write-entries.ts";
import { ZipWriter } from "./zip-writer.ts";

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
  try {
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
  } catch (error) {
    if (isServeError(error) || errnoCode(error) === undefined) throw error;
    throw archiveError(
      "ARCHIVE_READ_FAILED",
      `Cannot read the model files: ${(error as Error).message}`,
      "check that the model directory and the named files are readable",
      error,
    );
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
    return result({});
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
        await writer.finish(fsync);
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
