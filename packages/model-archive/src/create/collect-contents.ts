import { isServeError } from "@sagemaker-serve/errors";
import type { CreateArchiveOptions } from "./archive-options.ts";
import { archiveError, errnoCode } from "../errors.ts";
import { directoryFilter, fileFilter } from "../files/file-filter.ts";
import type { CollectLimits, SourceFile } from "../files/source-file.ts";
import { collectTorchServeFiles } from "../files/torchserve-layout.ts";
import { walkTree } from "../files/walk-tree.ts";
import { renderMmsManifest, renderTorchServeManifest } from "../manifest/manifest.ts";
import type { Target } from "./resolve-target.ts";

/** The files to archive, in archive order, and the manifest text. */
export interface Contents {
  files: SourceFile[];
  manifest: string;
}

export interface CollectInput {
  options: CreateArchiveOptions;
  target: Target;
  runtime: string;
  cwd: string;
  now: Date;
  limits: CollectLimits;
  signal: AbortSignal | undefined;
  warn: (message: string) => void;
}

const baseName = (path: string | undefined): string | undefined => path?.split("/").pop();

/** MMS: the whole model directory (as model-archiver filters it). */
async function collectMms({ options, target, runtime, limits, signal }: CollectInput): Promise<Contents> {
  const files = await walkTree({
    root: target.modelPath as string,
    directoryFilter,
    fileFilter: (name) => fileFilter(name),
    excludeRealPaths: new Set([target.path]),
    limits,
    signal,
  });
  return {
    files,
    manifest: renderMmsManifest({ modelName: options.modelName, handler: options.handler, runtime }),
  };
}

/** TorchServe: the named files, laid out as torch-model-archiver does. */
async function collectTorchServe(input: CollectInput): Promise<Contents> {
  const { options, runtime, cwd, now, limits, signal, warn } = input;
  const files = await collectTorchServeFiles({
    cwd,
    handler: options.handler,
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
  const manifest = renderTorchServeManifest({
    modelName: options.modelName,
    handler: baseName(options.handler) ?? options.handler,
    runtime,
    modelVersion: options.version as string,
    serializedFile: baseName(options.serializedFile),
    modelFile: baseName(options.modelFile),
    requirementsFile: baseName(options.requirementsFile),
    configFile: baseName(options.configFile),
    createdOn: now,
  });
  return { files, manifest };
}

/** Selects the files and renders the manifest for the flavour; unreadable inputs are ARCHIVE_READ_FAILED. */
export async function collectContents(input: CollectInput): Promise<Contents> {
  try {
    return await (input.target.modelPath !== undefined ? collectMms(input) : collectTorchServe(input));
  } catch (error) {
    if (isServeError(error) || errnoCode(error) === undefined) throw error;
    throw archiveError(
      "ARCHIVE_READ_FAILED",
      `Cannot read the model files: ${(error as Error).message}`,
      "check that the model directory and the named files are readable",
      error,
    );
  }
}
