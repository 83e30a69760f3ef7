import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { detectArchiveKind, type ArchiveKind } from "../extract/archive-kind.ts";
import { archiveError, errnoCode, readFailure } from "../errors.ts";
import { readTar, readTarEntry } from "../tar/tar-reader.ts";
import { openZip, readZipEntry, zipEntries, zipEntryName } from "../zip/zip-reader.ts";

/** A parsed MANIFEST.json (MMS or TorchServe); unknown keys are kept. */
export interface ModelManifest {
  runtime?: string;
  createdOn?: string;
  archiverVersion?: string;
  specificationVersion?: string;
  implementationVersion?: string;
  modelServerVersion?: string;
  description?: string;
  license?: string;
  engine?: { engineName?: string; engineVersion?: string };
  publisher?: { author?: string; email?: string };
  model?: {
    modelName?: string;
    handler?: string;
    modelVersion?: string;
    serializedFile?: string;
    modelFile?: string;
    requirementsFile?: string;
    configFile?: string;
    description?: string;
    extensions?: Record<string, unknown>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Where a manifest was found. */
export interface FoundManifest {
  kind: ArchiveKind;
  /** Entry name (or relative path) of the manifest. */
  entry: string;
  /** The bytes as stored. */
  text: string;
  manifest: ModelManifest;
  /** True for a pre-1.0 `MANIFEST.json` (MMS 0.x), already migrated. */
  legacy: boolean;
}

const MAX_MANIFEST_BYTES = 1024 * 1024;

/** Manifest lookup order of the Java servers: `MAR-INF/MANIFEST.json`, then one directory down, then legacy names. */
function manifestRank(name: string): number | undefined {
  const parts = name.replace(/^\.\//, "").split("/");
  if (parts.length === 2 && parts[0] === "MAR-INF" && parts[1] === "MANIFEST.json") return 0;
  if (parts.length === 3 && parts[1] === "MAR-INF" && parts[2] === "MANIFEST.json") return 1;
  if (parts.length === 1 && parts[0] === "MANIFEST.json") return 2;
  if (parts.length === 2 && parts[1] === "MANIFEST.json") return 3;
  return undefined;
}

function parse(text: string, where: string): { manifest: ModelManifest; legacy: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw archiveError(
      "MANIFEST_INVALID",
      `${where} is not valid JSON: ${(error as Error).message}`,
      "rebuild the archive with sagemaker-serve archive",
      error,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw archiveError("MANIFEST_INVALID", `${where} is not a JSON object.`, "rebuild the archive");
  }
  const record = value as Record<string, unknown>;
  if ("Model-Archive-Version" in record || ("Model" in record && !("model" in record))) {
    return { manifest: migrateLegacy(record), legacy: true };
  }
  return { manifest: record as ModelManifest, legacy: false };
}

/** MMS 0.x `MANIFEST.json` → the 1.0 shape, as MMS's LegacyManifest.migrate does (spec "0.1"). */
function migrateLegacy(legacy: Record<string, unknown>): ModelManifest {
  const model = (legacy.Model ?? {}) as Record<string, unknown>;
  const engine = legacy.Engine as Record<string, unknown> | undefined;
  const createdBy = legacy["Created-By"] as Record<string, unknown> | undefined;
  const manifest: ModelManifest = { specificationVersion: "0.1", runtime: "python" };
  if (typeof legacy.License === "string") manifest.license = legacy.License;
  if (engine !== undefined && engine.MXNet !== undefined) {
    manifest.engine = { engineName: "MXNet", engineVersion: String(engine.MXNet) };
  } else if (engine !== undefined) {
    manifest.engine = {};
  }
  if (createdBy !== undefined) {
    manifest.publisher = {
      ...(typeof createdBy.Author === "string" ? { author: createdBy.Author } : {}),
      ...(typeof createdBy["Author-Email"] === "string" ? { email: createdBy["Author-Email"] } : {}),
    };
  }
  manifest.model = {
    ...(typeof model["Model-Name"] === "string" ? { modelName: model["Model-Name"] } : {}),
    ...(typeof model.Service === "string" ? { handler: model.Service } : {}),
    ...(typeof model.Description === "string" ? { description: model.Description } : {}),
  };
  return manifest;
}

/** Finds and parses the manifest of a `.mar`/zip, a `.tar.gz`/tar or a directory; `undefined` when it has none. */
export async function findManifest(path: string, signal?: AbortSignal): Promise<FoundManifest | undefined> {
  const kind = await detectArchiveKind(path);
  const candidates: { rank: number; entry: string; text: string }[] = [];
  try {
    if (kind === "directory") {
      const tryRead = async (rel: string, rank: number): Promise<void> => {
        try {
          candidates.push({ rank, entry: rel, text: await readFile(join(path, rel), "utf8") });
        } catch (error) {
          if (errnoCode(error) !== "ENOENT" && errnoCode(error) !== "ENOTDIR") throw error;
        }
      };
      await tryRead("MAR-INF/MANIFEST.json", 0);
      await tryRead("MANIFEST.json", 2);
      if (candidates.length === 0) {
        const subdirs = (await readdir(path, { withFileTypes: true })).filter((d) => d.isDirectory());
        for (const sub of subdirs.map((d) => d.name).sort()) {
          await tryRead(`${sub}/MAR-INF/MANIFEST.json`, 1);
          await tryRead(`${sub}/MANIFEST.json`, 3);
        }
      }
    } else if (kind === "zip") {
      const zip = await openZip(path);
      try {
        for await (const entry of zipEntries(zip)) {
          if (signal?.aborted) throw signal.reason;
          const name = zipEntryName(entry);
          const rank = manifestRank(name);
          if (rank === undefined) continue;
          candidates.push({
            rank,
            entry: name,
            text: (await readZipEntry(zip, entry, MAX_MANIFEST_BYTES)).toString("utf8"),
          });
        }
      } finally {
        zip.close();
      }
    } else {
      await readTar(
        path,
        async (entry) => {
          const rank =
            entry.type === "File" || entry.type === "OldFile" ? manifestRank(entry.path) : undefined;
          if (rank === undefined) {
            entry.resume();
            return;
          }
          candidates.push({
            rank,
            entry: entry.path,
            text: (await readTarEntry(entry, MAX_MANIFEST_BYTES)).toString("utf8"),
          });
        },
        signal,
      );
    }
  } catch (error) {
    throw readFailure(
      error,
      `Cannot read ${path}`,
      "the archive is damaged or truncated; rebuild it",
      signal,
    );
  }
  candidates.sort((a, b) => a.rank - b.rank || a.entry.localeCompare(b.entry));
  const best = candidates[0];
  if (best === undefined) return undefined;
  const { manifest, legacy } = parse(best.text, `${path}:${best.entry}`);
  return { kind, entry: best.entry, text: best.text, manifest, legacy };
}

/**
 * Reads the manifest of a `.mar` (zip), a `.tar.gz` or a model directory: `MAR-INF/MANIFEST.json` (also one
 * directory down, as in TorchServe's tgz layout), else a legacy MMS 0.x `MANIFEST.json`, migrated.
 * Resolves `undefined` when there is none.
 *
 * @throws ServeError `ARCHIVE_NOT_FOUND`, `ARCHIVE_FORMAT_UNSUPPORTED`, `ARCHIVE_CORRUPT`, `MANIFEST_INVALID`.
 */
export async function readManifest(
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<ModelManifest | undefined> {
  return (await findManifest(path, options.signal))?.manifest;
}
