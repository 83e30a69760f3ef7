import { readdir, realpath, stat, statfs } from "node:fs/promises";
import { extname } from "node:path";
import type { ArchiveFormat } from "./archive-options.ts";
import { STORED_EXTENSIONS, type Compression } from "./compression-policy.ts";
import { archiveError } from "../errors.ts";
import type { LinkMode } from "./no-archive.ts";
import type { SourceFile } from "../files/source-file.ts";

/** True when both paths resolve to the same existing directory. */
export async function sameDirectory(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => undefined)]);
  return rb !== undefined && ra === rb;
}

/** MMS `--convert`: the find_unique check, then a refusal (conversion needs MXNet). */
export async function checkConvert(modelPath: string): Promise<void> {
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

/** Refuses to start when the bytes that will certainly be stored do not fit in the export directory. */
export async function checkFreeSpace(
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

/** True for an existing directory (following links). */
export async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
