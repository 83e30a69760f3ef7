import { checkOptions, type CreateArchiveOptions, type CreateArchiveResult } from "./archive-options.ts";
import { collectContents } from "./collect-contents.ts";
import { checkFreeSpace, sameDirectory } from "./preflight-checks.ts";
import { ProgressReporter } from "./progress.ts";
import { resolveTarget } from "./resolve-target.ts";
import { writeManifestInPlace } from "./write-entries.ts";
import { writeOutput, type Written } from "./write-output.ts";

/**
 * Writes an MMS (`model-archiver`) or TorchServe (`torch-model-archiver`) model archive with the Python tools'
 * validation order, messages, file selection and manifest bytes. Four steps: resolve the target (validation),
 * collect the files and the manifest, check the free space, write the output atomically.
 *
 * @throws ServeError with a {@link ModelArchiveErrorCode}; TypeError for misuse.
 */
export async function createArchive(options: CreateArchiveOptions): Promise<CreateArchiveResult> {
  const started = Date.now();
  const {
    flavor = "mms",
    modelName,
    runtime = "python",
    archiveFormat = "default",
    force = false,
    convert = false,
    compression = "auto",
    linkMode = "auto",
    cwd = process.cwd(),
    maxFiles = 1_000_000,
    maxBytes = 2 ** 40,
    fsync = false,
    now = new Date(),
    signal,
  } = options;
  checkOptions(options, flavor, runtime);
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    options.onWarning?.(message);
  };

  const target = await resolveTarget({
    flavor,
    modelName,
    archiveFormat,
    force,
    convert: convert === true,
    cwd,
    exportPath: options.exportPath,
    modelPath: options.modelPath,
    warn,
  });
  const { files, manifest } = await collectContents({
    options,
    target,
    runtime,
    cwd,
    now,
    limits: { maxFiles, maxBytes },
    signal,
    warn,
  });
  const progress = new ProgressReporter(files, options.onProgress);

  let written: Written;
  if (
    archiveFormat === "no-archive" &&
    target.modelPath !== undefined &&
    (await sameDirectory(target.modelPath, target.path))
  ) {
    // MMS no-archive onto the model directory itself: only the manifest is written.
    await writeManifestInPlace(target.path, manifest, target.exportArg);
    written = { storedFiles: 0 };
  } else {
    await checkFreeSpace(target.exportReal, files, archiveFormat, compression, linkMode);
    written = await writeOutput({
      target,
      modelName,
      format: archiveFormat,
      files,
      manifest,
      compression,
      linkMode,
      fsync,
      now,
      progress,
      signal,
    });
  }
  progress.done();
  return {
    path: target.path,
    format: archiveFormat,
    flavor,
    manifest,
    files: files.length,
    bytes: progress.bytesTotal,
    storedFiles: written.storedFiles,
    ...(written.linkMode === undefined ? {} : { linkMode: written.linkMode }),
    warnings,
    durationMs: Date.now() - started,
  };
}
