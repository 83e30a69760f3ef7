import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modelServerError } from "./errors.ts";

/** The parts of `MAR-INF/MANIFEST.json` (MMS or TorchServe) the server uses. */
export interface ModelManifest {
  modelName?: string;
  modelVersion?: string;
  handler?: string;
  raw: unknown;
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

export async function readModelManifest(dir: string): Promise<ModelManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, "MAR-INF", "MANIFEST.json"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw modelServerError(
      "MODEL_SERVER_ARCHIVE_FAILED",
      `MAR-INF/MANIFEST.json in "${dir}" is not valid JSON: ${(error as Error).message}`,
      "Recreate the archive with model-archiver or `sagemaker-serve archive`.",
      error,
    );
  }
  const model = (raw as { model?: Record<string, unknown> } | null)?.model ?? {};
  const text_ = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const manifest: ModelManifest = { raw };
  const modelName = text_(model.modelName);
  const modelVersion = text_(model.modelVersion);
  const handler = text_(model.handler);
  if (modelName !== undefined) manifest.modelName = modelName;
  if (modelVersion !== undefined) manifest.modelVersion = modelVersion;
  if (handler !== undefined) manifest.handler = handler;
  return manifest;
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
    return { dir: path, manifest: await readModelManifest(path), cleanup: async () => {} };
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
    return { dir, manifest: await readModelManifest(dir), cleanup };
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
