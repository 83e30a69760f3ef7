import { readdir, realpath, stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import type { Stats } from "node:fs";
import { archiveError, errnoCode } from "../errors.ts";
import { directoryFilter } from "./file-filter.ts";
import { glob, isMaybeWildcard } from "./glob.ts";
import { decodeEntryName } from "./safe-name.ts";
import type { CollectLimits, SourceFile } from "./source-file.ts";
import { compareWalkOrder } from "./walk-order.ts";
import { checkLimits, unsupportedFile, walkTree } from "./walk-tree.ts";

/** Handler names `torch-model-archiver` treats as built in (nothing is copied for them). */
export const TORCHSERVE_BUILTIN_HANDLERS: readonly string[] = [
  "base_handler",
  "text_classifier",
  "image_classifier",
  "object_detector",
  "image_segmenter",
  "dali_image_classifier",
  "vllm_handler",
  "trt_llm_handler",
];

/** The file `torch-model-archiver` copies for `--handler` (undefined: nothing to copy). */
export function torchServeHandlerFile(
  handler: string,
  runtime: string,
  platform: string = process.platform,
): string | undefined {
  if (handler === "") return undefined;
  if (runtime === "LSP") {
    if (handler === "BaseHandler" || handler === "TorchScriptHandler") return undefined;
    return `${handler.split(":")[0]}${platform === "darwin" ? ".dylib" : ".so"}`;
  }
  if (TORCHSERVE_BUILTIN_HANDLERS.includes(handler)) return undefined;
  if (!handler.includes(".py")) return `${handler.split(":")[0]}.py`;
  return handler;
}

export interface TorchServeInputs {
  cwd: string;
  handler: string;
  runtime: string;
  serializedFile?: string;
  modelFile?: string;
  extraFiles?: string | readonly string[];
  requirementsFile?: string;
  configFile?: string;
  limits: CollectLimits;
  signal?: AbortSignal;
  onWarning: (message: string) => void;
}

function notFound(path: string, cause?: unknown): Error {
  return archiveError(
    "ARCHIVE_FILE_NOT_FOUND",
    `[Errno 2] No such file or directory: '${path}'`,
    "check the path; relative paths are resolved against the current directory",
    cause,
  );
}

async function statInput(path: string, abs: string): Promise<Stats> {
  try {
    return await stat(abs);
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") throw notFound(path, error);
    if (errnoCode(error) === "ELOOP") {
      throw archiveError(
        "ARCHIVE_UNSAFE_LINK",
        `Symbolic link ${path} is part of a link loop.`,
        "fix the link",
        error,
      );
    }
    throw error;
  }
}

/**
 * The flat file layout `torch-model-archiver` stages in `$TMPDIR/<model-name>/`, computed without staging:
 * model-file, serialized-file, handler, extra-files, requirements-file, config-file, later names winning.
 */
export async function collectTorchServeFiles(inputs: TorchServeInputs): Promise<SourceFile[]> {
  const { cwd, limits, signal, onWarning } = inputs;
  const files = new Map<string, SourceFile>();
  const directories = new Set<string>();
  const totals = { files: 0, bytes: 0 };

  const add = (file: SourceFile): void => {
    const parts = file.name.split("/");
    if (directories.has(file.name)) {
      throw archiveError(
        "ARCHIVE_EXTRA_FILE_INVALID",
        `[Errno 21] Is a directory: '${file.name}'`,
        "a file and a directory in the archive would have the same name; rename one",
      );
    }
    for (let i = 1; i < parts.length; i += 1) directories.add(parts.slice(0, i).join("/"));
    if (!files.has(file.name)) totals.files += 1;
    totals.bytes += file.size - (files.get(file.name)?.size ?? 0);
    checkLimits(limits, totals);
    files.set(file.name, file);
  };

  const copyFile = async (path: string, name: string = basename(path)): Promise<void> => {
    const abs = resolve(cwd, path);
    const st = await statInput(path, abs);
    if (st.isDirectory()) {
      throw archiveError(
        "ARCHIVE_FILE_NOT_FOUND",
        `[Errno 21] Is a directory: '${path}'`,
        "name a file here; pass directories with --extra-files",
      );
    }
    if (!st.isFile()) throw unsupportedFile(path, st);
    const source = await realpath(abs);
    add({ name, source, size: st.size, mode: st.mode, mtimeMs: st.mtimeMs, uid: st.uid, gid: st.gid });
  };

  const mergeDirectory = async (path: string): Promise<void> => {
    const abs = resolve(cwd, path);
    const raw = await readdir(abs, { encoding: "buffer" });
    raw.sort(Buffer.compare);
    for (const entry of raw) {
      const name = decodeEntryName(entry, "");
      const sub = resolve(abs, name);
      const st = await statInput(`${path}/${name}`, sub).catch((error: unknown) => {
        throw archiveError(
          "ARCHIVE_UNSAFE_LINK",
          `Symbolic link ${path}/${name} is broken.`,
          "fix or remove the link",
          error,
        );
      });
      if (st.isFile()) {
        await copyFile(`${path}/${name}`, name);
      } else if (st.isDirectory()) {
        if (directories.has(name) || files.has(name)) {
          throw archiveError(
            "ARCHIVE_EXTRA_FILE_INVALID",
            `[Errno 17] File exists: '${name}'`,
            `two extra-files directories both contain "${name}/"; merge them into one`,
          );
        }
        directories.add(name);
        if (!directoryFilter(name)) continue;
        const found = await walkTree({ root: sub, directoryFilter, namePrefix: `${name}/`, limits, signal });
        for (const file of found) add(file);
      } else {
        throw unsupportedFile(`${path}/${name}`, st);
      }
    }
  };

  if (inputs.modelFile) await copyFile(inputs.modelFile);
  if (inputs.serializedFile) await copyFile(inputs.serializedFile);
  const handlerFile = torchServeHandlerFile(inputs.handler, inputs.runtime);
  if (handlerFile !== undefined) await copyFile(handlerFile);
  const extras =
    typeof inputs.extraFiles === "string" ? inputs.extraFiles.split(",") : (inputs.extraFiles ?? []);
  for (const rawItem of extras) {
    const item = rawItem.trim();
    if (item === "") continue;
    let matches: string[];
    if (isMaybeWildcard(item)) {
      matches = await glob(item, cwd);
      if (matches.length === 0) onWarning(`Given wildcard pattern did not match any file: ${item}`);
    } else {
      try {
        await stat(resolve(cwd, item));
      } catch (error) {
        throw archiveError(
          "ARCHIVE_FILE_NOT_FOUND",
          `File does not exist: ${item}`,
          "check the --extra-files list (comma-separated files, directories or globs)",
          error,
        );
      }
      matches = [item];
    }
    for (const match of matches) {
      const st = await stat(resolve(cwd, match));
      if (st.isFile()) await copyFile(match);
      else if (st.isDirectory()) await mergeDirectory(match);
      else {
        throw archiveError(
          "ARCHIVE_EXTRA_FILE_INVALID",
          `Invalid extra file given ${match}`,
          "extra files must be regular files or directories",
        );
      }
    }
  }
  if (inputs.requirementsFile) await copyFile(inputs.requirementsFile);
  if (inputs.configFile) await copyFile(inputs.configFile);
  files.delete("MAR-INF/MANIFEST.json");
  return [...files.values()].sort((a, b) => compareWalkOrder(a.name, b.name));
}
