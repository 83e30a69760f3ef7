import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { ServeError } from "@sagemaker-serve/errors";

/** The embedded asset that lists every other one (written by scripts/build-sea.mjs): `{ files: string[] }`. */
export const SEA_MANIFEST_ASSET = "sagemaker-serve-files.json";

/** The bundle's files, unpacked for this process: `dir` has the layout of `dist/` (`python/`, the log4j2 XML). */
export interface UnpackedFiles {
  dir: string;
  /** Deletes `dir`; synchronous, because it runs in the process's `exit` event. */
  remove: () => void;
}

export interface UnpackSeaAssetsOptions {
  /** `node:sea`'s `getAsset(key)`: the asset's bytes; throws for an unknown key. */
  getAsset: (key: string) => ArrayBuffer;
  /** Where the private directory is created (the OS temp directory). */
  parentDir: string;
}

function assetPath(dir: string, key: string): string {
  const relative = normalize(key);
  if (isAbsolute(relative) || relative === ".." || relative.startsWith(`..${sep}`)) {
    throw new TypeError(`sea asset key escapes its directory: ${key}`);
  }
  return join(dir, relative);
}

/**
 * The single executable carries the files that sit next to the JS bundle (the built-in server's `python/`
 * workers, the MMS/TorchServe log4j2 XML) as SEA assets. They are written to a new private directory
 * (mode 0700) for this process, so the binary works copied anywhere with nothing beside it.
 */
export async function unpackSeaAssets(options: UnpackSeaAssetsOptions): Promise<UnpackedFiles> {
  const { getAsset, parentDir } = options;
  let dir: string | undefined;
  try {
    const manifest = JSON.parse(Buffer.from(getAsset(SEA_MANIFEST_ASSET)).toString("utf8")) as {
      files: string[];
    };
    dir = await mkdtemp(join(parentDir, "sagemaker-serve-"));
    for (const key of manifest.files) {
      const path = assetPath(dir, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, Buffer.from(getAsset(key)));
    }
  } catch (error) {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    if (error instanceof TypeError) throw error;
    throw new ServeError(
      "SEA_UNPACK_FAILED",
      `could not unpack the single executable's files into ${parentDir}: ${(error as Error).message}`,
      { hint: "set TMPDIR to a writable directory with free space", cause: error },
    );
  }
  const unpacked = dir;
  return { dir: unpacked, remove: () => rmSync(unpacked, { recursive: true, force: true }) };
}
