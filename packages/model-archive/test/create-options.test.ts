import { randomBytes } from "node:crypto";
import { readdir, readFile, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { ARCHIVE_EXTENSIONS, createArchive, type ArchiveProgress } from "../src/index.ts";
import { makeTree, readZipWithPython } from "./helpers.ts";

describe("createArchive options and validation order (MMS TestMarExistence, TestArchiveTypes, TestFindUnique)", () => {
  it("archive types map to extensions (tgz, no-archive, zip-store, default)", () => {
    expect(ARCHIVE_EXTENSIONS).toEqual({
      tgz: ".tar.gz",
      "no-archive": "",
      "zip-store": ".mar",
      default: ".mar",
    });
  });

  it("export path defaults to cwd; a trailing slash does not double up", async () => {
    const root = await useTempDir();
    await makeTree(root, { "m/a.py": "a" });
    const inCwd = await createArchive({ modelName: "some-model", modelPath: "m", handler: "h", cwd: root });
    expect(inCwd.path).toBe(join(root, "some-model.mar"));
    const slash = await createArchive({
      modelName: "some-model",
      modelPath: "m",
      handler: "h",
      cwd: root,
      exportPath: `${root}/`,
      archiveFormat: "no-archive",
    });
    expect(slash.path).toBe(join(root, "some-model"));
  });

  it("validation order: name regex, export path, model path, then exists", async () => {
    const root = await useTempDir();
    await makeTree(root, { "m/a.py": "a", "exists.mar": "x" });
    await expect(
      createArchive({ modelName: "-bad", modelPath: "nope", handler: "h", exportPath: "nope", cwd: root }),
    ).rejects.toMatchObject({
      code: "ARCHIVE_INVALID_MODEL_NAME",
    });
    await expect(
      createArchive({ modelName: "ok", modelPath: "nope", handler: "h", exportPath: "nope", cwd: root }),
    ).rejects.toMatchObject({
      code: "ARCHIVE_EXPORT_PATH_INVALID",
      message: "Given export-path nope is not a directory. Point to a valid export-path directory.",
    });
    await expect(
      createArchive({ modelName: "exists", modelPath: "nope", handler: "h", cwd: root }),
    ).rejects.toMatchObject({
      code: "ARCHIVE_MODEL_PATH_INVALID",
      message: "Given model-path nope is not a valid directory. Point to a valid model-path directory.",
    });
    await expect(
      createArchive({ modelName: "exists", modelPath: "m", handler: "h", cwd: root }),
    ).rejects.toMatchObject({
      code: "ARCHIVE_EXISTS",
    });
  });

  it("misuse throws TypeError: unknown format (the internal 'tar'), runtime, missing version for torchserve", async () => {
    await expect(
      createArchive({ modelName: "m", modelPath: "/", handler: "h", archiveFormat: "tar" as never }),
    ).rejects.toThrow(TypeError);
    await expect(
      createArchive({ modelName: "m", modelPath: "/", handler: "h", runtime: "LSP" }),
    ).rejects.toThrow(TypeError);
    await expect(createArchive({ flavor: "torchserve", modelName: "m", handler: "h" })).rejects.toThrow(
      /version/,
    );
  });

  it("--convert: no .onnx archives normally, one is refused (needs MXNet), two is the find_unique error", async () => {
    const root = await useTempDir();
    await makeTree(root, { "m/a.py": "a" });
    const base = { modelPath: join(root, "m"), handler: "h", exportPath: root, convert: true };
    await createArchive({ ...base, modelName: "none" });
    await makeTree(root, { "m/x.onnx": "1" });
    await expect(createArchive({ ...base, modelName: "one" })).rejects.toMatchObject({
      code: "ARCHIVE_CONVERT_UNSUPPORTED",
    });
    await makeTree(root, { "m/y.onnx": "2" });
    await expect(createArchive({ ...base, modelName: "two" })).rejects.toMatchObject({
      code: "ARCHIVE_ONNX_NOT_UNIQUE",
      message:
        "model-archiver expects only one .onnx file in the folder. Found 2 files ['x.onnx', 'y.onnx'] in model-path.",
    });
  });

  it("MMS no-archive into the model directory itself writes only the manifest (with force)", async () => {
    const root = await useTempDir();
    await makeTree(root, { "model/a.py": "a" });
    const base = {
      modelName: "model",
      modelPath: join(root, "model"),
      handler: "h",
      exportPath: root,
      archiveFormat: "no-archive" as const,
    };
    await expect(createArchive(base)).rejects.toMatchObject({ code: "ARCHIVE_EXISTS" });
    const result = await createArchive({ ...base, force: true });
    expect((await readdir(join(root, "model"))).sort()).toEqual(["MAR-INF", "a.py"]);
    expect(await readFile(join(result.path, "MAR-INF/MANIFEST.json"), "utf8")).toBe(result.manifest);
  });

  it("an output written inside the walked tree is not archived into itself", async () => {
    const root = await useTempDir();
    await makeTree(root, { "m/a.py": "a" });
    await createArchive({
      modelName: "m",
      modelPath: join(root, "m"),
      handler: "h",
      exportPath: join(root, "m"),
      archiveFormat: "tgz",
    });
    const mar = await createArchive({
      modelName: "m",
      modelPath: join(root, "m"),
      handler: "h",
      exportPath: join(root, "m"),
    });
    expect((await readZipWithPython(mar.path)).map((e) => e.name)).toEqual([
      "a.py",
      "m.tar.gz",
      "MAR-INF/MANIFEST.json",
    ]);
    const again = await createArchive({
      modelName: "m",
      modelPath: join(root, "m"),
      handler: "h",
      exportPath: join(root, "m"),
      archiveFormat: "tgz",
      force: true,
    });
    expect(again.files).toBe(1);
  });

  it("compression auto: text deflated, weights and incompressible files stored; deflate and store force one method", async () => {
    const root = await useTempDir();
    await makeTree(root, {
      "m/config.json": JSON.stringify({ a: "b".repeat(10_000) }),
      "m/model.safetensors": "a".repeat(10_000),
      "m/noise.dat": randomBytes(200_000),
      "m/tiny.txt": "t",
    });
    const methods = async (compression: "auto" | "deflate" | "store"): Promise<Record<string, number>> => {
      const r = await createArchive({
        modelName: compression,
        modelPath: join(root, "m"),
        handler: "h",
        exportPath: root,
        compression,
      });
      return Object.fromEntries((await readZipWithPython(r.path)).map((e) => [e.name, e.compressType]));
    };
    expect(await methods("auto")).toEqual({
      "config.json": 8,
      "model.safetensors": 0,
      "noise.dat": 0,
      "tiny.txt": 8,
      "MAR-INF/MANIFEST.json": 8,
    });
    expect(Object.values(await methods("deflate")).every((m) => m === 8)).toBe(true);
    const store = await methods("store");
    expect(store["config.json"]).toBe(0);
    expect(store["MAR-INF/MANIFEST.json"]).toBe(8);
  });

  it("reports progress up to bytesTotal and ends with phase done", async () => {
    const root = await useTempDir();
    await makeTree(root, { "m/a.bin": randomBytes(3 * 1024 * 1024), "m/b.txt": "b" });
    const events: ArchiveProgress[] = [];
    await createArchive({
      modelName: "p",
      modelPath: join(root, "m"),
      handler: "h",
      exportPath: root,
      onProgress: (p) => events.push(p),
    });
    const last = events.at(-1);
    expect(last).toMatchObject({
      phase: "done",
      filesDone: 2,
      filesTotal: 2,
      bytesTotal: 3 * 1024 * 1024 + 1,
    });
    expect(last?.bytesDone).toBe(last?.bytesTotal);
    expect(events.filter((e) => e.file === "a.bin").length).toBeGreaterThan(2);
  });

  it("cancellation mid-write leaves no partial archive, in every format", async () => {
    const root = await useTempDir();
    await makeTree(root, { "m/a.bin": randomBytes(4 * 1024 * 1024), "m/b.txt": "b" });
    for (const archiveFormat of ["default", "tgz", "no-archive"] as const) {
      const controller = new AbortController();
      await expect(
        createArchive({
          modelName: "x",
          modelPath: join(root, "m"),
          handler: "h",
          exportPath: root,
          archiveFormat,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.bytesDone > 0) controller.abort(new Error("stop"));
          },
        }),
      ).rejects.toMatchObject({ code: "ARCHIVE_ABORTED" });
      expect(await readdir(root)).toEqual(["m"]);
    }
  });

  it("tgz output exists: refused without force (the TorchServe tgz TestMarExistence case), replaced with it", async () => {
    const root = await useTempDir();
    await makeTree(root, { "m/a.py": "a", "x.tar.gz": "old" });
    const base = {
      modelName: "x",
      modelPath: join(root, "m"),
      handler: "h",
      exportPath: root,
      archiveFormat: "tgz" as const,
    };
    await expect(createArchive(base)).rejects.toMatchObject({
      code: "ARCHIVE_EXISTS",
      message: expect.stringMatching(/^\S+\/x\.tar\.gz already exists\./),
    });
    const result = await createArchive({ ...base, force: true });
    expect(result.path).toBe(join(root, "x.tar.gz"));
  });

  it("a 10 GiB sparse weights file goes into no-archive by hard link at once (reliability test 42)", async () => {
    const root = await useTempDir();
    await makeTree(root, { "m/handler.py": "h", "m/weights.bin": "" });
    await truncate(join(root, "m/weights.bin"), 10 * 2 ** 30);
    const result = await createArchive({
      modelName: "big",
      modelPath: join(root, "m"),
      handler: "h",
      exportPath: root,
      archiveFormat: "no-archive",
    });
    expect(result).toMatchObject({ linkMode: "hardlink", bytes: 10 * 2 ** 30 + 1 });
    expect((await stat(join(result.path, "weights.bin"))).ino).toBe(
      (await stat(join(root, "m/weights.bin"))).ino,
    );
  });
});
