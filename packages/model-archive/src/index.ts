export { createArchive } from "./create/create-archive.ts";
export {
  ARCHIVE_EXTENSIONS,
  type ArchiveFlavor,
  type ArchiveFormat,
  type ArchiveProgress,
  type CreateArchiveOptions,
  type CreateArchiveResult,
} from "./create/archive-options.ts";
export {
  type Compression,
  type EntryMethod,
  STORED_EXTENSIONS,
  AUTO_LARGE_FILE_BYTES,
} from "./create/compression-policy.ts";
export { type LinkMode, type LinkModeUsed } from "./create/no-archive.ts";
export { type ModelArchiveErrorCode, type ModelArchiveError } from "./errors.ts";
export { MODEL_NAME_PATTERN, isValidModelName } from "./create/model-name.ts";
export { directoryFilter, fileFilter } from "./files/file-filter.ts";
export {
  renderMmsManifest,
  renderTorchServeManifest,
  formatCreatedOn,
  TORCHSERVE_ARCHIVER_VERSION,
  type MmsManifestInput,
  type TorchServeManifestInput,
} from "./manifest/manifest.ts";
export { TORCHSERVE_BUILTIN_HANDLERS, torchServeHandlerFile } from "./files/torchserve-layout.ts";
export {
  readManifest,
  findManifest,
  type ModelManifest,
  type FoundManifest,
} from "./manifest/read-manifest.ts";
export { verifyArchive, type VerifyArchiveResult } from "./extract/verify-archive.ts";
export {
  extractArchive,
  type ExtractArchiveOptions,
  type ExtractArchiveResult,
} from "./extract/extract-archive.ts";
export { detectArchiveKind, type ArchiveKind } from "./extract/archive-kind.ts";
