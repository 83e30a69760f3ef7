import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { createArchive, readManifest, verifyArchive } from "../src/index.ts";
import { makeTree } from "./helpers.ts";

const run = promisify(execFile);

/** Builds a zip with Python (not our writer) holding the given entries. */
async function pythonZip(path: string, entries: Record<string, string>): Promise<void> {
  const script = `import json,sys,zipfile\nwith zipfile.ZipFile(sys.argv[1],"w") as z:\n    for k,v in json.loads(sys.argv[2]).items(): z.writestr(k,v)\n`;
  await run("python3", ["-c", script, path, JSON.stringify(entries)]);
}

describe("readManifest and verifyArchive", () => {
  it("read the manifest of a .mar, a .tar.gz (one directory down) and a no-archive directory", async () => {
    const root = await useTempDir();
    await makeTree(root, { "src/a.py": "a" });
    for (const archiveFormat of ["default", "tgz", "no-archive"] as const) {
      const made = await createArchive({
        modelName: "m",
        modelPath: join(root, "src"),
        handler: "svc:handle",
        exportPath: root,
        archiveFormat,
      });
      expect(await readManifest(made.path)).toEqual(JSON.parse(made.manifest));
      const verified = await verifyArchive(made.path, archiveFormat === "tgz" ? "torchserve" : "mms").catch(
        (e: unknown) => e,
      );
      if (archiveFormat === "tgz")
        expect(verified).toMatchObject({
          code: "MANIFEST_INVALID",
          message: "Model version is not defined.",
        });
      else
        expect(verified).toMatchObject({
          manifestSource: "archive",
          manifest: { model: { modelName: "m" } },
        });
    }
    await expect(verifyArchive(join(root, "m.tar.gz"), "mms")).rejects.toMatchObject({
      code: "ARCHIVE_FORMAT_UNSUPPORTED",
    });
  });

  it("a TorchServe .tar.gz verifies for torchserve, manifest found one directory down", async () => {
    const root = await useTempDir();
    await makeTree(root, { "h.py": "x" });
    const made = await createArchive({
      flavor: "torchserve",
      modelName: "t",
      handler: "base_handler",
      version: "1.0",
      exportPath: root,
      archiveFormat: "tgz",
    });
    const result = await verifyArchive(made.path, "torchserve");
    expect(result).toMatchObject({ kind: "tar.gz", manifestEntry: "t/MAR-INF/MANIFEST.json", warnings: [] });
    const nested = join(root, "nested.mar");
    await pythonZip(nested, {
      "t/MAR-INF/MANIFEST.json": JSON.stringify({
        runtime: "python",
        model: { modelName: "t", handler: "h" },
      }),
    });
    expect(await verifyArchive(nested, "mms")).toMatchObject({ manifestSource: "default" });
  });

  it("applies the Java servers' checks with their messages", async () => {
    const root = await useTempDir();
    const cases: [string, object, "mms" | "torchserve", string][] = [
      ["no-model", { runtime: "python" }, "mms", "Missing Model entry in manifest file."],
      ["no-name", { runtime: "python", model: { handler: "h" } }, "mms", "Model name is not defined."],
      [
        "no-handler",
        { runtime: "python", model: { modelName: "m" } },
        "mms",
        "Model handler is not defined.",
      ],
      [
        "bad-runtime",
        { runtime: "java", model: { modelName: "m", handler: "h" } },
        "mms",
        "Runtime is not defined or invalid.",
      ],
      [
        "lsp-mms",
        { runtime: "LSP", model: { modelName: "m", handler: "h" } },
        "mms",
        "Runtime is not defined or invalid.",
      ],
      [
        "engine",
        { runtime: "python", model: { modelName: "m", handler: "h" }, engine: {} },
        "mms",
        "engineName is required in <engine>.",
      ],
      [
        "ts-version",
        { runtime: "python", model: { modelName: "m" } },
        "torchserve",
        "Model version is not defined.",
      ],
    ];
    for (const [name, manifest, flavor, message] of cases) {
      const path = join(root, `${name}.mar`);
      await pythonZip(path, { "MAR-INF/MANIFEST.json": JSON.stringify(manifest) });
      await expect(verifyArchive(path, flavor), name).rejects.toMatchObject({
        code: "MANIFEST_INVALID",
        message,
      });
    }
    const ok = join(root, "ok.mar");
    await pythonZip(ok, {
      "MAR-INF/MANIFEST.json": JSON.stringify({
        runtime: "LSP",
        model: { modelName: "m", modelVersion: "1" },
      }),
    });
    expect((await verifyArchive(ok, "torchserve")).warnings).toEqual([
      "Model archive version is not defined. Please upgrade to torch-model-archiver 0.2.0 or higher",
      "Model archive createdOn is not defined. Please upgrade to torch-model-archiver 0.2.0 or higher",
    ]);
  });

  it("no manifest: MMS uses a default one, TorchServe refuses; legacy 0.x manifests are migrated", async () => {
    const root = await useTempDir();
    const bare = join(root, "bare.mar");
    await pythonZip(bare, { "a.py": "x" });
    expect(await readManifest(bare)).toBeUndefined();
    expect(await verifyArchive(bare, "mms")).toMatchObject({
      manifestSource: "default",
      manifest: { runtime: "python", model: {} },
    });
    await expect(verifyArchive(bare, "torchserve")).rejects.toMatchObject({ code: "MANIFEST_INVALID" });
    const legacy = join(root, "legacy.mar");
    await pythonZip(legacy, {
      "squeezenet/MANIFEST.json": JSON.stringify({
        "Model-Archive-Version": 0.1,
        Model: { "Model-Name": "squeezenet", Service: "mxnet_vision_service.py" },
        Engine: { MXNet: 0.12 },
      }),
    });
    expect(await verifyArchive(legacy, "mms")).toMatchObject({
      manifestSource: "legacy",
      manifest: {
        specificationVersion: "0.1",
        model: { modelName: "squeezenet", handler: "mxnet_vision_service.py" },
        engine: { engineName: "MXNet", engineVersion: "0.12" },
      },
    });
  });

  it("reports broken input: missing path, invalid JSON, truncated zip", async () => {
    const root = await useTempDir();
    await expect(readManifest(join(root, "missing.mar"))).rejects.toMatchObject({
      code: "ARCHIVE_NOT_FOUND",
    });
    const bad = join(root, "bad.mar");
    await pythonZip(bad, { "MAR-INF/MANIFEST.json": "{nope" });
    await expect(readManifest(bad)).rejects.toMatchObject({ code: "MANIFEST_INVALID" });
    const { readFile, writeFile } = await import("node:fs/promises");
    await writeFile(join(root, "cut.mar"), (await readFile(bad)).subarray(0, 40));
    await expect(readManifest(join(root, "cut.mar"))).rejects.toMatchObject({ code: "ARCHIVE_CORRUPT" });
  });
});
