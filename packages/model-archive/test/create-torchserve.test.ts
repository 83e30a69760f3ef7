import { readFile, readdir, stat, symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { createArchive, type CreateArchiveOptions } from "../src/index.ts";
import { listDirectory, makeTree, readTarWithPython, readZipWithPython, sha256 } from "./helpers.ts";

const CREATED_ON = /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/;

/** The TorchServe integration fixtures: handler, model file, serialized file and extra files. */
async function fixtures(root: string): Promise<string> {
  const dir = join(root, "resources");
  await makeTree(dir, {
    "test_handler.py": "def handle(data, context):\n    return data\n",
    "test_model.py": "class Model: pass\n",
    "test_serialized_file.pt": Buffer.alloc(5000, 1),
    "test_index_to_name.json": '{"0": "cat"}\n',
    "dummy-artifacts.txt": "dummy\n",
    "dir/1.py": "print(1)\n",
    "requirements.txt": "numpy\n",
    "model-config.yaml": "minWorkers: 1\n",
  });
  return dir;
}

function options(
  res: string,
  exportPath: string,
  extra: Partial<CreateArchiveOptions> = {},
): CreateArchiveOptions {
  return {
    flavor: "torchserve",
    modelName: `t${Date.now()}`,
    handler: join(res, "test_handler.py"),
    modelFile: join(res, "test_model.py"),
    serializedFile: join(res, "test_serialized_file.pt"),
    version: "1.0",
    exportPath,
    ...extra,
  };
}

describe("createArchive (torchserve flavor)", () => {
  it("packaging_mar: manifest has createdOn, runtime, model keys in order and archiverVersion", async () => {
    const root = await useTempDir();
    const res = await fixtures(root);
    const now = new Date(2026, 10, 25, 21, 7, 31);
    const result = await createArchive(
      options(res, root, {
        modelName: "t1",
        handler: join(res, "test_handler.py"),
        requirementsFile: join(res, "requirements.txt"),
        configFile: join(res, "model-config.yaml"),
        now,
      }),
    );
    expect(result.manifest).toBe(`{
  "createdOn": "25/11/2026 21:07:31",
  "runtime": "python",
  "model": {
    "modelName": "t1",
    "serializedFile": "test_serialized_file.pt",
    "handler": "test_handler.py",
    "modelFile": "test_model.py",
    "modelVersion": "1.0",
    "requirementsFile": "requirements.txt",
    "configFile": "model-config.yaml"
  },
  "archiverVersion": "0.12.0"
}`);
    const entries = await readZipWithPython(result.path);
    expect(entries.map((e) => e.name)).toEqual([
      "model-config.yaml",
      "requirements.txt",
      "test_handler.py",
      "test_model.py",
      "test_serialized_file.pt",
      "MAR-INF/MANIFEST.json",
    ]);
    for (const entry of entries.slice(0, 5)) {
      expect(entry.sha256).toBe(sha256(await readFile(join(res, entry.name))));
      expect(entry.mode).toBe((await stat(join(res, entry.name))).mode);
    }
  });

  it("packaging_noarchive and packaging_tgz with extra files: flattened, dir/1.py becomes 1.py", async () => {
    const root = await useTempDir();
    const res = await fixtures(root);
    const extraFiles = [
      join(res, "test_index_to_name.json"),
      join(res, "dummy-artifacts.txt"),
      join(res, "dir/1.py"),
    ].join(",");
    const tgz = await createArchive(options(res, root, { archiveFormat: "tgz", extraFiles }));
    const name = tgz.path.slice(root.length + 1, -".tar.gz".length);
    const members = (await readTarWithPython(tgz.path)).map((e) => e.name);
    expect(members).toEqual(
      expect.arrayContaining([
        `${name}/MAR-INF/MANIFEST.json`,
        `${name}/test_handler.py`,
        `${name}/test_model.py`,
        `${name}/test_serialized_file.pt`,
        `${name}/dummy-artifacts.txt`,
        `${name}/1.py`,
      ]),
    );
    expect(members).not.toContain(`${name}/dir/1.py`);
    const dir = await createArchive(options(res, root, { archiveFormat: "no-archive", extraFiles }));
    expect(Object.keys(await listDirectory(dir.path))).toContain("1.py");
    const manifest = JSON.parse(await readFile(join(dir.path, "MAR-INF/MANIFEST.json"), "utf8")) as Record<
      string,
      string
    >;
    expect(manifest.createdOn).toMatch(CREATED_ON);
  });

  it("packaging_mar twice: without force fails (correct message), with force succeeds; zip-store is larger", async () => {
    const root = await useTempDir();
    const res = await fixtures(root);
    await makeTree(res, { "big.txt": "compressible text\n".repeat(2000) });
    const base = options(res, root, { modelName: "twice", extraFiles: join(res, "big.txt") });
    const first = await createArchive(base);
    await expect(createArchive(base)).rejects.toMatchObject({
      code: "ARCHIVE_EXISTS",
      message: `${join(root, "twice.mar")} already exists.\nPlease specify --force/-f option to overwrite the model archive output file.\nSee -h/--help for more details.`,
    });
    await createArchive({ ...base, force: true });
    const store = await createArchive({ ...base, modelName: "twice-store", archiveFormat: "zip-store" });
    await createArchive({ ...base, modelName: "twice-store", archiveFormat: "zip-store", force: true });
    expect((await stat(store.path)).size).toBeGreaterThan((await stat(first.path)).size);
    expect((await readZipWithPython(store.path)).every((e) => e.compressType === 0)).toBe(true);
  });

  it("handler rules: name without .py, module:function, built-in names", async () => {
    const root = await useTempDir();
    const res = await fixtures(root);
    const byName = await createArchive(
      options(res, root, { modelName: "h1", handler: join(res, "test_handler") }),
    );
    expect(JSON.parse(byName.manifest).model.handler).toBe("test_handler");
    expect((await readZipWithPython(byName.path)).map((e) => e.name)).toContain("test_handler.py");
    const entry = await createArchive(
      options(res, root, { modelName: "h2", handler: `${join(res, "test_handler")}:my_handler` }),
    );
    expect(JSON.parse(entry.manifest).model.handler).toBe("test_handler:my_handler");
    expect((await readZipWithPython(entry.path)).map((e) => e.name)).toContain("test_handler.py");
    for (const handler of ["image_classifier", "text_classifier"]) {
      const builtin = await createArchive({
        flavor: "torchserve",
        modelName: handler,
        handler,
        version: "1.0",
        exportPath: "model",
        cwd: root,
      });
      expect(builtin.path).toBe(join(root, "model", `${handler}.mar`));
      expect(JSON.parse(builtin.manifest).model).toEqual({
        modelName: handler,
        handler,
        modelVersion: "1.0",
      });
      expect((await readZipWithPython(builtin.path)).map((e) => e.name)).toEqual(["MAR-INF/MANIFEST.json"]);
    }
  });

  it("extra_files_path: a directory's contents merge into the root; hidden dirs and __pycache__ pruned; hidden files kept", async () => {
    const root = await useTempDir();
    const res = await fixtures(root);
    await makeTree(join(root, "extra"), {
      "vocab.txt": "a b c",
      "sub/x.json": "{}",
      "sub/__pycache__/x.pyc": "p",
      ".git/HEAD": "ref",
      ".env": "K=V",
      "y.pyc": "c",
    });
    const result = await createArchive(
      options(res, root, { modelName: "x1", extraFiles: join(root, "extra") }),
    );
    expect((await readZipWithPython(result.path)).map((e) => e.name)).toEqual([
      ".env",
      "test_handler.py",
      "test_model.py",
      "test_serialized_file.pt",
      "vocab.txt",
      "y.pyc",
      "sub/x.json",
      "MAR-INF/MANIFEST.json",
    ]);
  });

  it("extra files: globs, unmatched glob warns, later same name wins, two dirs with the same sub-dir fail", async () => {
    const root = await useTempDir();
    const res = await fixtures(root);
    await makeTree(root, {
      "a/same.txt": "from a",
      "b/same.txt": "from b",
      "a/d/1": "1",
      "b/d/2": "2",
      "g/x1.json": "1",
      "g/x2.json": "2",
    });
    const warnings: string[] = [];
    const result = await createArchive(
      options(res, root, {
        modelName: "g1",
        extraFiles: `g/*.json,nomatch/*.bin,a/same.txt,b/same.txt`,
        cwd: root,
        onWarning: (w) => warnings.push(w),
      }),
    );
    expect(warnings).toEqual(["Given wildcard pattern did not match any file: nomatch/*.bin"]);
    const entries = await readZipWithPython(result.path);
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(["x1.json", "x2.json", "same.txt"]));
    expect(entries.find((e) => e.name === "same.txt")?.sha256).toBe(sha256("from b"));
    await expect(
      createArchive(options(res, root, { modelName: "g2", extraFiles: "a,b", cwd: root })),
    ).rejects.toMatchObject({
      code: "ARCHIVE_EXTRA_FILE_INVALID",
      message: "[Errno 17] File exists: 'd'",
    });
  });

  it("missing_extra_files and missing handler/serialized files fail with the Python messages, after the exists check", async () => {
    const root = await useTempDir();
    const res = await fixtures(root);
    await expect(
      createArchive(options(res, root, { extraFiles: "nope.txt", cwd: root })),
    ).rejects.toMatchObject({
      code: "ARCHIVE_FILE_NOT_FOUND",
      message: "File does not exist: nope.txt",
    });
    await expect(
      createArchive(options(res, root, { handler: "missing_handler", cwd: root })),
    ).rejects.toMatchObject({
      code: "ARCHIVE_FILE_NOT_FOUND",
      message: "[Errno 2] No such file or directory: 'missing_handler.py'",
    });
    await makeTree(root, { "exists.mar": "x" });
    await expect(
      createArchive(options(res, root, { modelName: "exists", serializedFile: "gone.pt", cwd: root })),
    ).rejects.toMatchObject({ code: "ARCHIVE_EXISTS" });
    expect((await readdir(root)).sort()).toEqual(["exists.mar", "resources"]);
  });

  it("creates a missing export path with the Python warning; no shared /tmp staging (no-archive into the temp dir works)", async () => {
    const root = await useTempDir();
    const res = await fixtures(root);
    const warnings: string[] = [];
    const result = await createArchive(
      options(res, join(root, "new/dir"), { modelName: "made", onWarning: (w) => warnings.push(w) }),
    );
    expect(warnings).toEqual([`Export directory (${join(root, "new/dir")}) does not exist. Creating...`]);
    expect((await stat(result.path)).isFile()).toBe(true);
    const staged = await createArchive(
      options(res, root, { modelName: "resources", archiveFormat: "no-archive", force: true }),
    );
    expect(Object.keys(await listDirectory(staged.path))).toContain("MAR-INF/MANIFEST.json");
  });

  it("dereferences a symlinked extra file", async () => {
    const root = await useTempDir();
    const res = await fixtures(root);
    await symlink(join(res, "dummy-artifacts.txt"), join(root, "link.txt"));
    const result = await createArchive(
      options(res, root, { modelName: "l1", extraFiles: join(root, "link.txt") }),
    );
    const entry = (await readZipWithPython(result.path)).find((e) => e.name === "link.txt");
    expect(entry?.sha256).toBe(sha256("dummy\n"));
    expect((entry?.mode ?? 0) & 0o170000).toBe(0o100000);
  });

  it("an unreadable input path is ARCHIVE_READ_FAILED, not a raw Node error", async () => {
    const root = await useTempDir();
    const res = await fixtures(root);
    await expect(
      createArchive(options(res, root, { serializedFile: `${"x".repeat(300)}.pt`, cwd: root })),
    ).rejects.toMatchObject({
      code: "ARCHIVE_READ_FAILED",
      message: expect.stringMatching(/^Cannot read the model files: ENAMETOOLONG/),
    });
  });
});
