import type { Compression } from "./compression-policy.ts";
import type { LinkMode, LinkModeUsed } from "./no-archive.ts";

/** Which Python tool to behave like. */
export type ArchiveFlavor = "mms" | "torchserve";

/** `default` = `.mar` zip, `zip-store` = `.mar` without compression, `tgz` = `.tar.gz`, `no-archive` = a directory. */
export type ArchiveFormat = "default" | "zip-store" | "tgz" | "no-archive";

/** Output file extension per format (the archivers' `archiving_options`). */
export const ARCHIVE_EXTENSIONS: Readonly<Record<ArchiveFormat, string>> = {
  tgz: ".tar.gz",
  "no-archive": "",
  "zip-store": ".mar",
  default: ".mar",
};

/** Progress of a running `createArchive`. */
export interface ArchiveProgress {
  phase: "write" | "done";
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Archive name of the file being written. */
  file?: string;
}

export interface CreateArchiveOptions {
  /** Default `mms`. */
  flavor?: ArchiveFlavor;
  modelName: string;
  /** MMS: written verbatim. TorchServe: built-in name or a path (`x/h`, `x/h.py`, `x/h:fn`). */
  handler: string;
  /** Default `python`. MMS: python, python2, python3; TorchServe: python, python3, LSP. */
  runtime?: string;
  /** MMS only: the directory that is walked. */
  modelPath?: string;
  /** Default `cwd`. MMS: must exist; TorchServe: created when missing (with a warning). */
  exportPath?: string;
  /** Default `default`. */
  archiveFormat?: ArchiveFormat;
  /** Replace an existing output. */
  force?: boolean;
  /** MMS `--convert`: ONNX to MXNet needs MXNet and is refused when the model has one `.onnx`. */
  convert?: boolean;
  /** TorchServe: `-v/--version`, the model version (required for that flavor). */
  version?: string;
  serializedFile?: string;
  modelFile?: string;
  /** Comma-separated list (as on the command line) or an array: files, directories or globs. */
  extraFiles?: string | readonly string[];
  requirementsFile?: string;
  configFile?: string;
  /** Zip formats only. Default `auto` (`zip-store` always stores). */
  compression?: Compression;
  /** `no-archive` only. Default `auto` (hard links, copies across filesystems). */
  linkMode?: LinkMode;
  /** Resolves relative paths. Default `process.cwd()`. */
  cwd?: string;
  /** Default 1,000,000 files. */
  maxFiles?: number;
  /** Default 1 TiB of input. */
  maxBytes?: number;
  /** fsync the archive before the rename. Default false. */
  fsync?: boolean;
  /** Manifest and zip-entry time. Default `new Date()`. */
  now?: Date;
  signal?: AbortSignal;
  onProgress?: (progress: ArchiveProgress) => void;
  /** Python's `WARNING - ...` lines (overwriting, creating the export dir, unmatched globs). */
  onWarning?: (message: string) => void;
}

export interface CreateArchiveResult {
  /** The archive file or directory written. */
  path: string;
  format: ArchiveFormat;
  flavor: ArchiveFlavor;
  /** The manifest text written to `MAR-INF/MANIFEST.json`. */
  manifest: string;
  files: number;
  bytes: number;
  /** Zip/tgz: how many files were stored rather than deflated. */
  storedFiles: number;
  /** no-archive: how files were placed. */
  linkMode?: LinkModeUsed;
  warnings: string[];
  durationMs: number;
}

export const RUNTIMES: Record<ArchiveFlavor, readonly string[]> = {
  mms: ["python", "python2", "python3"],
  torchserve: ["python", "python3", "LSP"],
};

/** Throws TypeError for option values no caller should pass. */
export function checkOptions(options: CreateArchiveOptions, flavor: ArchiveFlavor, runtime: string): void {
  const oneOf = (key: string, value: unknown, allowed: readonly string[]): void => {
    if (value !== undefined && !allowed.includes(value as string)) {
      throw new TypeError(`Expected ${key} to be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
    }
  };
  oneOf("flavor", options.flavor, ["mms", "torchserve"]);
  oneOf("archiveFormat", options.archiveFormat, Object.keys(ARCHIVE_EXTENSIONS));
  oneOf("compression", options.compression, ["auto", "deflate", "store"]);
  oneOf("linkMode", options.linkMode, ["auto", "copy", "hardlink", "symlink"]);
  if (typeof options.modelName !== "string")
    throw new TypeError(`Expected modelName to be a string, got ${typeof options.modelName}`);
  if (typeof options.handler !== "string")
    throw new TypeError(`Expected handler to be a string, got ${typeof options.handler}`);
  if (!RUNTIMES[flavor].includes(runtime)) {
    throw new TypeError(
      `Expected runtime to be one of ${RUNTIMES[flavor].join(", ")} for ${flavor}, got "${runtime}"`,
    );
  }
  if (flavor === "mms" && typeof options.modelPath !== "string") {
    throw new TypeError("Expected modelPath (a directory) for the mms flavor");
  }
  if (flavor === "torchserve" && (typeof options.version !== "string" || options.version === "")) {
    throw new TypeError("Expected version (the model version) for the torchserve flavor");
  }
  for (const key of ["maxFiles", "maxBytes"] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new TypeError(`Expected ${key} to be a non-negative number, got ${String(value)}`);
    }
  }
}
