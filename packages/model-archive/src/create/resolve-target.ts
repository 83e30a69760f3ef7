import { mkdir, realpath } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ARCHIVE_EXTENSIONS, type ArchiveFlavor, type ArchiveFormat } from "./archive-options.ts";
import { pathExists } from "../io/atomic-output.ts";
import { archiveError } from "../errors.ts";
import { assertValidModelName } from "./model-name.ts";
import { checkConvert, isDirectory } from "./preflight-checks.ts";

export interface TargetInput {
  flavor: ArchiveFlavor;
  modelName: string;
  archiveFormat: ArchiveFormat;
  force: boolean;
  convert: boolean;
  cwd: string;
  exportPath: string | undefined;
  modelPath: string | undefined;
  warn: (message: string) => void;
}

/** Where the archive goes and what it is made from, checked in the Python tools' order with their messages. */
export interface Target {
  /** The output path (real export directory + name + extension). */
  path: string;
  /** The output path as the user wrote it, for messages. */
  display: string;
  /** The export directory as given (for messages) and its real path. */
  exportArg: string;
  exportReal: string;
  /** The MMS model directory (absolute); undefined for TorchServe, which names its files one by one. */
  modelPath: string | undefined;
}

/** Validates the model name, export path, model path and an existing output (server-and-archive.md §1.6). */
export async function resolveTarget(input: TargetInput): Promise<Target> {
  const { flavor, modelName, archiveFormat, cwd, warn } = input;
  assertValidModelName(modelName);
  const exportArg = input.exportPath ?? cwd;
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
    modelPath = resolve(cwd, input.modelPath as string);
    if (!(await isDirectory(modelPath))) {
      throw archiveError(
        "ARCHIVE_MODEL_PATH_INVALID",
        `Given model-path ${input.modelPath} is not a valid directory. Point to a valid model-path directory.`,
        "pass the directory that holds the model files",
      );
    }
  }
  const exportReal = await realpath(exportPath);
  const name = `${modelName}${ARCHIVE_EXTENSIONS[archiveFormat]}`;
  const target = {
    path: join(exportReal, name),
    display: join(exportArg, name),
    exportArg,
    exportReal,
    modelPath,
  };
  if (await pathExists(target.path)) {
    if (!input.force) {
      throw archiveError(
        "ARCHIVE_EXISTS",
        `${target.display} already exists.\nPlease specify --force/-f option to overwrite the model archive output file.\nSee -h/--help for more details.`,
        "pass --force/-f to replace it",
      );
    }
    warn(`Overwriting ${target.display} ...`);
  }
  if (modelPath !== undefined && input.convert) await checkConvert(modelPath);
  return target;
}
