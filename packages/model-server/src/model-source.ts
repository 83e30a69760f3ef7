import { mkdtemp, rm, stat } from "node:fs/promises";
import { findManifest } from "@sagemaker-serve/model-archive";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modelServerError } from "./errors.ts";

/** The parts of `MAR-INF/MANIFEST.json` (MMS or TorchServe) the server uses. */
export interface ModelManifest {
  modelName?: string;
  modelVersion?: string;
  handler?: string;
}

/** A model ready to load: a directory, extracted from an archive when needed. */
export interface ModelSource {
  dir: string;
  manifest: ModelManifest | undefined;
  /** Removes what was extracted (nothing for a directory used in place). */
  cleanup(): Promise<void>;
}

const ARCHIVE_SUFFIXES = [".mar", ".zip", ".tar.gz", ".tgz"];

/** True when `path` names a model archive the server can extract. */
export function isArchivePath(path: string): boolean {
  const lower = path.toLowerCase();
  return ARCHIVE_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

/** The name MMS gives a model registered without `model_name`: the url's last segment without its archive suffix. */
export function defaultModelName(url: string): string {
  const last = url.replace(/\/+$/, "").split("/").pop() ?? url;
  const lower = last.toLowerCase();
  const suffix = ARCHIVE_SUFFIXES.find((s) => lower.endsWith(s));
  return suffix === undefined ? last : last.slice(0, -suffix.length);
}

/**
 * Reads `MAR-INF/MANIFEST.json` with model-archive's reader (MMS, TorchServe or a migrated legacy manifest). When
 * the manifest sits one directory down (TorchServe's tgz layout), that directory is the model directory.
 */
export async function readModelManifest(
  dir: string,
  signal?: AbortSignal,
): Promise<{ dir: string; manifest: ModelManifest | undefined }> {
  const found = await findManifest(dir, signal);
  if (found === undefined) return { dir, manifest: undefined };
  const parts = found.entry.replace(/^\.\//, "").split("/");
  const modelDir = parts.length === 3 && parts[1] === "MAR-INF" ? join(dir, parts[0]!) : dir;
  const model = found.manifest.model ?? {};
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const manifest: ModelManifest = {};
  const modelName = text(model.modelName);
  const modelVersion = text(model.modelVersion);
  const handler = text(model.handler);
  if (modelName !== undefined) manifest.modelName = modelName;
  if (modelVersion !== undefined) manifest.modelVersion = modelVersion;
  if (handler !== undefined) manifest.handler = handler;
  return { dir: modelDir, manifest };
}

export type ExtractArchive = (
  path: string,
  dest: string,
  options: { signal?: AbortSignal },
) => Promise<unknown>;

/**
 * Opens a model directory in place, or extracts a `.mar`/`.zip`/`model.tar.gz` into a fresh temp directory (named
 * at random, never after the model) with the safe extractor. Throws `MODEL_SERVER_MODEL_NOT_FOUND` when `path`
 * does not exist.
 */
export async function openModelSource(
  path: string,
  { signal, extractArchive }: { signal?: AbortSignal; extractArchive: ExtractArchive },
): Promise<ModelSource> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw modelServerError(
      "MODEL_SERVER_MODEL_NOT_FOUND",
      `Model not found: "${path}" does not exist`,
      "Check the model directory (SAGEMAKER_BASE_DIR, /opt/ml/model) or the url passed to POST /models.",
      error,
    );
  }
  if (info.isDirectory()) {
    return { ...(await readModelManifest(path, signal)), cleanup: async () => {} };
  }
  if (!info.isFile() || !isArchivePath(path)) {
    throw modelServerError(
      "MODEL_SERVER_MODEL_NOT_FOUND",
      `Model not found: "${path}" is neither a directory nor a .mar, .zip or .tar.gz archive`,
      "Point at the model directory or at an archive made by model-archiver or `sagemaker-serve archive`.",
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "sagemaker-serve-model-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await extractArchive(path, dir, signal ? { signal } : {});
    return { ...(await readModelManifest(dir, signal)), cleanup };
  } catch (error) {
    await cleanup();
    if (
      typeof (error as { code?: unknown }).code === "string" &&
      (error as { hint?: unknown }).hint !== undefined
    )
      throw error;
    throw modelServerError(
      "MODEL_SERVER_ARCHIVE_FAILED",
      `Cannot extract model archive "${path}": ${(error as Error).message}`,
      "Recreate the archive with model-archiver or `sagemaker-serve archive`.",
      error,
    );
  }
}
