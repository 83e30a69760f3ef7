import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isServeError } from "@sagemaker-serve/errors";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { SEA_MANIFEST_ASSET, unpackSeaAssets } from "./sea-assets.ts";

/** An asset store shaped like node:sea's: bytes per key, throwing for an unknown key as getAsset does. */
function assets(files: Record<string, string>, manifest = Object.keys(files)): (key: string) => ArrayBuffer {
  const all: Record<string, string> = { ...files, [SEA_MANIFEST_ASSET]: JSON.stringify({ files: manifest }) };
  return (key) => {
    if (!Object.hasOwn(all, key)) throw new Error(`No matching asset found for key: ${key}`);
    return new TextEncoder().encode(all[key]).buffer as ArrayBuffer;
  };
}

describe("unpackSeaAssets", () => {
  it("writes every listed file into a new private directory with dist/'s layout, and remove() deletes it", async () => {
    const parentDir = await useTempDir();
    const files = await unpackSeaAssets({
      getAsset: assets({
        "log4j2-mms.xml": "<Configuration/>",
        "python/model_worker.py": "print('w')\n",
        "python/sagemaker_serve_worker/__init__.py": "",
      }),
      parentDir,
    });
    expect(files.dir.startsWith(join(parentDir, "sagemaker-serve-"))).toBe(true);
    expect((await stat(files.dir)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(files.dir, "log4j2-mms.xml"), "utf8")).toBe("<Configuration/>");
    expect(await readFile(join(files.dir, "python", "model_worker.py"), "utf8")).toBe("print('w')\n");
    expect(await readdir(join(files.dir, "python", "sagemaker_serve_worker"))).toEqual(["__init__.py"]);
    files.remove();
    expect(await readdir(parentDir)).toEqual([]);
  });

  it("fails with SEA_UNPACK_FAILED naming the directory when it cannot write there", async () => {
    const parentDir = join(await useTempDir(), "missing");
    const error = await unpackSeaAssets({ getAsset: assets({ "a.xml": "x" }), parentDir }).catch((e) => e);
    expect(isServeError(error) && error.code).toBe("SEA_UNPACK_FAILED");
    expect((error as Error).message).toContain(`into ${parentDir}: `);
    expect((error as { hint: string }).hint).toBe("set TMPDIR to a writable directory with free space");
  });

  it("leaves nothing behind when a listed asset is missing", async () => {
    const parentDir = await useTempDir();
    const error = await unpackSeaAssets({
      getAsset: assets({ "a.xml": "x" }, ["a.xml", "python/gone.py"]),
      parentDir,
    }).catch((e) => e);
    expect(isServeError(error) && error.code).toBe("SEA_UNPACK_FAILED");
    expect((error as Error).message).toContain("python/gone.py");
    expect(await readdir(parentDir)).toEqual([]);
  });

  it("refuses a listed path that leaves the directory", async () => {
    const parentDir = await useTempDir();
    await mkdir(join(parentDir, "x"));
    await expect(
      unpackSeaAssets({ getAsset: assets({ "../evil": "x" }), parentDir: join(parentDir, "x") }),
    ).rejects.toThrow(new TypeError("sea asset key escapes its directory: ../evil"));
    expect(await readdir(join(parentDir, "x"))).toEqual([]);
    expect(await readdir(parentDir)).toEqual(["x"]);
  });
});
