export { createArchive } from "./create-archive.ts";
export {
  ARCHIVE_EXTENSIONS,
  type ArchiveFlavor,
  type ArchiveFormat,
  type ArchiveProgress,
  type CreateArchiveOptions,
  type CreateArchiveResult,
} from "./archive-options.ts";
export {
  type Compression,
  type EntryMethod,
  STORED_EXTENSIONS,
  AUTO_LARGE_FILE_BYTES,
} from "./compression-policy.ts";
export { type LinkMode, type LinkModeUsed } from "./no-archive.ts";
export { type ModelArchiveErrorCode, type ModelArchiveError } from "./errors.ts";
export { MODEL_NAME_PATTERN, isValidModelName } from "./model-name.ts";
export { directoryFilter, fileFilter } from "./file-filter.ts";
export {
  renderMmsManifest,
  renderTorchServeManifest,
  formatCreatedOn,
  TORCHSERVE_ARCHIVER_VERSION,
  type MmsManifestInput,
  type TorchServeManifestInput,
} from "./manifest.ts";
export { TORCHSERVE_BUILTIN_HANDLERS, torchServeHandlerFile } from "./torchserve-layout.ts";
export { readManifest, findManifest, type ModelManifest, type FoundManifest } from "./read-manifest.ts";
export { verifyArchive, type VerifyArchiveResult } from "./verify-archive.ts";
export { extractArchive, type ExtractArchiveOptions, type ExtractArchiveResult } from "./extract-archive.ts";
export { detectArchiveKind, type ArchiveKind } from "./archive-kind.ts";
