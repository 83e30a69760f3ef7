import { detectArchiveKind, type ArchiveKind } from "./archive-kind.ts";
import type { ArchiveFlavor } from "../create/archive-options.ts";
import { archiveError } from "../errors.ts";
import { findManifest, type ModelManifest } from "../manifest/read-manifest.ts";

export interface VerifyArchiveResult {
  kind: ArchiveKind;
  flavor: ArchiveFlavor;
  /** The manifest the server would use (MMS: a default one when the archive has none). */
  manifest: ModelManifest;
  /** `archive`: read from it; `legacy`: an MMS 0.x manifest, migrated; `default`: none found (MMS only). */
  manifestSource: "archive" | "legacy" | "default";
  /** Entry name of the manifest, when there is one. */
  manifestEntry?: string;
  /** The servers' log warnings (e.g. TorchServe's missing archiverVersion). */
  warnings: string[];
}

const RUNTIMES: Record<ArchiveFlavor, readonly string[]> = {
  mms: ["python", "python2", "python3"],
  torchserve: ["python", "python3", "LSP"],
};

function invalid(message: string, path: string): Error {
  return archiveError(
    "MANIFEST_INVALID",
    message,
    `fix MAR-INF/MANIFEST.json in ${path} or rebuild it with sagemaker-serve archive`,
  );
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * Applies the checks MMS (`ModelArchive.validate`) or TorchServe apply when a model is registered, with their
 * messages: "Missing Model entry in manifest file.", "Model name is not defined.", "Model handler is not
 * defined." (MMS), "Model version is not defined." (TorchServe), "Runtime is not defined or invalid.",
 * "engineName is required in <engine>." (MMS).
 *
 * @throws ServeError `MANIFEST_INVALID`, `ARCHIVE_FORMAT_UNSUPPORTED` (a tar.gz for MMS), `ARCHIVE_CORRUPT`, `ARCHIVE_NOT_FOUND`.
 */
export async function verifyArchive(
  path: string,
  flavor: ArchiveFlavor,
  options: { signal?: AbortSignal } = {},
): Promise<VerifyArchiveResult> {
  if (flavor !== "mms" && flavor !== "torchserve")
    throw new TypeError(`Expected flavor "mms" or "torchserve", got ${String(flavor)}`);
  let found = await findManifest(path, options.signal);
  // MMS looks for MAR-INF/ only at the top (legacy MANIFEST.json may sit one level down); TorchServe descends.
  if (flavor === "mms" && found !== undefined && /^[^/]+\/MAR-INF\/MANIFEST\.json$/.test(found.entry))
    found = undefined;
  const resolvedKind = found?.kind ?? (await detectArchiveKind(path));
  if (flavor === "mms" && (resolvedKind === "tar.gz" || resolvedKind === "tar")) {
    throw archiveError(
      "ARCHIVE_FORMAT_UNSUPPORTED",
      `${path} is a tar archive; MMS opens every model file as a zip, so it would register an empty model.`,
      "build a .mar (--archive-format default) or a no-archive directory for MMS",
    );
  }
  const warnings: string[] = [];
  let manifest: ModelManifest;
  let manifestSource: VerifyArchiveResult["manifestSource"];
  if (found === undefined) {
    if (flavor === "torchserve") throw invalid("Missing Model entry in manifest file.", path);
    manifest = {
      specificationVersion: "1.0",
      implementationVersion: "1.0",
      modelServerVersion: "1.0",
      license: "Apache 2.0",
      runtime: "python",
      model: {},
    };
    manifestSource = "default";
    warnings.push(
      "No manifest found: MMS uses a default one (model name from the register request, handler from default_service_handler).",
    );
    return { kind: resolvedKind, flavor, manifest, manifestSource, warnings };
  }
  manifest = found.manifest;
  manifestSource = found.legacy ? "legacy" : "archive";
  const model = manifest.model;
  if (model === undefined || model === null || typeof model !== "object")
    throw invalid("Missing Model entry in manifest file.", path);
  if (!isSet(model.modelName)) throw invalid("Model name is not defined.", path);
  if (flavor === "mms") {
    if (!isSet(model.handler)) throw invalid("Model handler is not defined.", path);
  } else if (!isSet(model.modelVersion)) {
    throw invalid("Model version is not defined.", path);
  }
  if (typeof manifest.runtime !== "string" || !RUNTIMES[flavor].includes(manifest.runtime)) {
    throw invalid("Runtime is not defined or invalid.", path);
  }
  if (flavor === "mms" && isSet(manifest.engine) && !isSet(manifest.engine?.engineName)) {
    throw invalid("engineName is required in <engine>.", path);
  }
  if (flavor === "torchserve") {
    if (!isSet(manifest.archiverVersion)) {
      warnings.push(
        "Model archive version is not defined. Please upgrade to torch-model-archiver 0.2.0 or higher",
      );
    }
    if (!isSet(manifest.createdOn)) {
      warnings.push(
        "Model archive createdOn is not defined. Please upgrade to torch-model-archiver 0.2.0 or higher",
      );
    }
  }
  return { kind: resolvedKind, flavor, manifest, manifestSource, manifestEntry: found.entry, warnings };
}
