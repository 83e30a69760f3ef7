import { readFile, stat, symlink, readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { createArchive } from "../src/index.ts";
import { listDirectory, makeTree, readTarWithPython, readZipWithPython, sha256 } from "./helpers.ts";

const MMS_MANIFEST = `{
  "runtime": "python",
  "model": {
    "modelName": "model",
    "handler": "service:handle"
  },
  "modelServerVersion": "1.0",
  "implementationVersion": "1.0",
  "specificationVersion": "1.0"
}`;

/** The MMS integration fixture `regular_model/` plus files the walk must drop or keep. */
async function regularModel(root: string): Promise<string> {
  const dir = join(root, "regular_model");
  await makeTree(dir, {
    "service.py": "def handle(data, context):\n    return data\n",
    "dummy-artifacts.txt": "dummy\n",
    "dir/1.py": "print(1)\n",
    "run.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 },
  });
  return dir;
}

describe("createArchive (mms flavor)", () => {
  it("packaging_mar: writes a .mar Python reads back, with the exact MMS manifest bytes", async () => {
    const root = await useTempDir();
    const modelPath = await regularModel(root);
    const result = await createArchive({
      modelName: "model",
      modelPath,
      handler: "service:handle",
      exportPath: root,
    });
    expect(result.path).toBe(join(root, "model.mar"));
    expect(result.manifest).toBe(MMS_MANIFEST);
    const entries = await readZipWithPython(result.path);
    expect(entries.map((e) => e.name)).toEqual([
      "dummy-artifacts.txt",
      "run.sh",
      "service.py",
      "dir/1.py",
      "MAR-INF/MANIFEST.json",
    ]);
    for (const entry of entries.slice(0, 4)) {
      const source = join(modelPath, entry.name);
      expect(entry.sha256).toBe(sha256(await readFile(source)));
      expect(entry.mode).toBe((await stat(source)).mode);
      expect(entry.createSystem).toBe(3);
      expect(entry.flagBits).toBe(0);
      expect(entry.compressType).toBe(8);
    }
    const manifest = entries[4];
    expect(manifest?.sha256).toBe(sha256(MMS_MANIFEST));
    expect(manifest?.mode).toBe(0o600);
    expect(manifest?.compressType).toBe(8);
  });

  it("packaging_tgz: members carry the <model-name>/ prefix and the manifest is last with TarInfo defaults", async () => {
    const root = await useTempDir();
    const modelPath = await regularModel(root);
    const result = await createArchive({
      modelName: "model",
      modelPath,
      handler: "service:handle",
      exportPath: root,
      archiveFormat: "tgz",
    });
    expect(result.path).toBe(join(root, "model.tar.gz"));
    const entries = await readTarWithPython(result.path);
    expect(entries.map((e) => e.name)).toEqual([
      "model/dummy-artifacts.txt",
      "model/run.sh",
      "model/service.py",
      "model/dir/1.py",
      "model/MAR-INF/MANIFEST.json",
    ]);
    for (const entry of entries.slice(0, 4)) {
      const st = await stat(join(modelPath, entry.name.slice("model/".length)));
      expect(entry.type).toBe("0");
      expect(entry.mode).toBe(st.mode & 0o7777);
      expect(entry.uid).toBe(st.uid);
      expect(entry.mtime).toBe(Math.floor(st.mtimeMs / 1000));
      expect(entry.sha256).toBe(sha256(await readFile(join(modelPath, entry.name.slice(6)))));
    }
    expect(entries[4]).toMatchObject({ mode: 0o644, uid: 0, gid: 0, mtime: 0, sha256: sha256(MMS_MANIFEST) });
  });

  it("packaging_noarchive: a directory with MAR-INF/MANIFEST.json, hard-linked by default", async () => {
    const root = await useTempDir();
    const modelPath = await regularModel(root);
    const result = await createArchive({
      modelName: "model",
      modelPath,
      handler: "service:handle",
      exportPath: root,
      archiveFormat: "no-archive",
    });
    expect(result.linkMode).toBe("hardlink");
    const listing = await listDirectory(result.path);
    expect(Object.keys(listing)).toEqual([
      "MAR-INF/MANIFEST.json",
      "dir/1.py",
      "dummy-artifacts.txt",
      "run.sh",
      "service.py",
    ]);
    expect(listing["MAR-INF/MANIFEST.json"]?.sha256).toBe(sha256(MMS_MANIFEST));
    expect(listing["run.sh"]?.mode).toBe((await stat(join(modelPath, "run.sh"))).mode);
    expect((await stat(join(result.path, "service.py"))).ino).toBe(
      (await stat(join(modelPath, "service.py"))).ino,
    );
    expect((await readdir(root)).sort()).toEqual(["model", "regular_model"]);
  });

  it("no-archive copy and symlink modes", async () => {
    const root = await useTempDir();
    const modelPath = await regularModel(root);
    const copied = await createArchive({
      modelName: "copied",
      modelPath,
      handler: "h",
      exportPath: root,
      archiveFormat: "no-archive",
      linkMode: "copy",
    });
    expect(copied.linkMode).toBe("copy");
    expect((await stat(join(copied.path, "service.py"))).ino).not.toBe(
      (await stat(join(modelPath, "service.py"))).ino,
    );
    expect((await listDirectory(copied.path))["run.sh"]?.mode).toBe(
      (await stat(join(modelPath, "run.sh"))).mode,
    );
    const linked = await createArchive({
      modelName: "linked",
      modelPath,
      handler: "h",
      exportPath: root,
      archiveFormat: "no-archive",
      linkMode: "symlink",
    });
    expect(linked.linkMode).toBe("symlink");
    expect(await readFile(join(linked.path, "dir/1.py"), "utf8")).toBe("print(1)\n");
  });

  it("packaging_mar twice: the second run without force fails with the corrected message, with force succeeds", async () => {
    const root = await useTempDir();
    const modelPath = await regularModel(root);
    const options = { modelName: "model", modelPath, handler: "service:handle", exportPath: root };
    await createArchive(options);
    await expect(createArchive(options)).rejects.toMatchObject({
      code: "ARCHIVE_EXISTS",
      message: `${join(root, "model.mar")} already exists.\nPlease specify --force/-f option to overwrite the model archive output file.\nSee -h/--help for more details.`,
    });
    const warnings: string[] = [];
    const again = await createArchive({ ...options, force: true, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([`Overwriting ${join(root, "model.mar")} ...`]);
    expect((await readZipWithPython(again.path)).length).toBe(5);
  });

  it("--force with no-archive removes stale files (Python keeps them)", async () => {
    const root = await useTempDir();
    const modelPath = await regularModel(root);
    const options = {
      modelName: "model",
      modelPath,
      handler: "h",
      exportPath: root,
      archiveFormat: "no-archive" as const,
    };
    await createArchive(options);
    await makeTree(join(root, "model"), { "stale.txt": "old" });
    await createArchive({ ...options, force: true });
    expect(Object.keys(await listDirectory(join(root, "model")))).not.toContain("stale.txt");
    expect((await readdir(root)).sort()).toEqual(["model", "regular_model"]);
  });

  it("packaging_onnx_*: an .onnx without --convert is packed as a plain file (stored by auto)", async () => {
    const root = await useTempDir();
    const modelPath = await regularModel(root);
    await makeTree(modelPath, { "model.onnx": Buffer.alloc(10_000, 7) });
    const mar = await createArchive({
      modelName: "model",
      modelPath,
      handler: "service:handle",
      exportPath: root,
    });
    const entry = (await readZipWithPython(mar.path)).find((e) => e.name === "model.onnx");
    expect(entry?.compressType).toBe(0);
    const tgz = await createArchive({
      modelName: "model",
      modelPath,
      handler: "service:handle",
      exportPath: root,
      archiveFormat: "tgz",
    });
    expect((await readTarWithPython(tgz.path)).map((e) => e.name)).toContain("model/model.onnx");
    const dir = await createArchive({
      modelName: "model",
      modelPath,
      handler: "h",
      exportPath: root,
      archiveFormat: "no-archive",
    });
    expect(Object.keys(await listDirectory(dir.path))).toContain("model.onnx");
  });

  it("file selection: prunes __MACOSX, __pycache__ and dot-dirs, drops MANIFEST.json/.pyc/.DS_Store/.mar, keeps hidden files", async () => {
    const root = await useTempDir();
    const modelPath = join(root, "m");
    await makeTree(modelPath, {
      "a.py": "a",
      ".hiddenfile": "h",
      "MANIFEST.json": "{}",
      "sub/MANIFEST.json": "{}",
      "sub/keep.txt": "k",
      "x.pyc": "c",
      ".DS_Store": "d",
      "old.mar": "m",
      "__MACOSX/junk": "j",
      "__pycache__/a.cpython-311.pyc": "p",
      ".git/config": "g",
      "sub/.cache/x": "x",
    });
    await symlink("a.py", join(modelPath, "link-to-a.py"));
    await symlink("sub", join(modelPath, "link-to-sub"));
    const result = await createArchive({ modelName: "m", modelPath, handler: "h", exportPath: root });
    expect((await readZipWithPython(result.path)).map((e) => e.name)).toEqual([
      ".hiddenfile",
      "a.py",
      "link-to-a.py",
      "sub/keep.txt",
      "MAR-INF/MANIFEST.json",
    ]);
    const linkEntry = (await readZipWithPython(result.path)).find((e) => e.name === "link-to-a.py");
    expect(linkEntry?.sha256).toBe(sha256("a"));
  });

  it("a model that already has a MAR-INF/ directory keeps its other files; the manifest is replaced", async () => {
    const root = await useTempDir();
    await makeTree(join(root, "src"), {
      "a.py": "a",
      "MAR-INF/notes.txt": "n",
      "MAR-INF/MANIFEST.json": "{}",
    });
    for (const archiveFormat of ["default", "no-archive"] as const) {
      const result = await createArchive({
        modelName: "model",
        modelPath: join(root, "src"),
        handler: "h",
        exportPath: root,
        archiveFormat,
      });
      const names =
        archiveFormat === "default"
          ? (await readZipWithPython(result.path)).map((e) => e.name)
          : Object.keys(await listDirectory(result.path));
      expect(names.sort()).toEqual(["MAR-INF/MANIFEST.json", "MAR-INF/notes.txt", "a.py"]);
    }
  });
});
