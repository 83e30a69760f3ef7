import { execFile } from "node:child_process";
import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { createArchive } from "../src/index.ts";
import { listDirectory, makeTree, readWithPython, readZipWithPython } from "./helpers.ts";

const run = promisify(execFile);

async function model(root: string): Promise<string> {
  const dir = join(root, "model");
  await makeTree(dir, { "handler.py": "x", "weights.bin": Buffer.alloc(1000, 3) });
  return dir;
}

async function refuses(modelPath: string, exportPath: string, code: string, message: RegExp): Promise<void> {
  for (const archiveFormat of ["default", "tgz", "no-archive"] as const) {
    await expect(
      createArchive({ modelName: "out", modelPath, handler: "h", exportPath, archiveFormat }),
    ).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  }
  expect(await readdir(exportPath)).not.toContain("out.mar");
}

describe("createArchive refuses unsafe model directories (reliability tests 38, 39)", () => {
  it("symlinks to /etc/passwd, /proc/self/environ and .. are refused, in every format", async () => {
    const root = await useTempDir();
    const exportPath = join(root, "export");
    await mkdir(exportPath);
    for (const [name, target] of [
      ["passwd", "/etc/passwd"],
      ["environ", "/proc/self/environ"],
      ["up", ".."],
    ] as const) {
      const dir = await model(join(root, name));
      await symlink(target, join(dir, "link"));
      await refuses(dir, exportPath, "ARCHIVE_UNSAFE_LINK", /points outside the model directory/);
    }
    expect(await readdir(exportPath)).toEqual([]);
  });

  it("a symlink loop and a broken symlink are refused without hanging", async () => {
    const root = await useTempDir();
    const exportPath = join(root, "export");
    await mkdir(exportPath);
    const loop = await model(join(root, "loop"));
    await symlink("b", join(loop, "a"));
    await symlink("a", join(loop, "b"));
    await refuses(loop, exportPath, "ARCHIVE_UNSAFE_LINK", /link loop/);
    const broken = await model(join(root, "broken"));
    await symlink("missing.bin", join(broken, "dangling"));
    await refuses(broken, exportPath, "ARCHIVE_UNSAFE_LINK", /is broken/);
    expect(await readdir(exportPath)).toEqual([]);
  });

  it("a directory symlink inside the tree is skipped (MMS), one leaving it is refused", async () => {
    const root = await useTempDir();
    const dir = await model(root);
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "sub/x.txt"), "x");
    await symlink("sub", join(dir, "sub-link"));
    await symlink(".", join(dir, "self"));
    const result = await createArchive({ modelName: "ok", modelPath: dir, handler: "h", exportPath: root });
    expect((await readZipWithPython(result.path)).map((e) => e.name)).toEqual([
      "handler.py",
      "weights.bin",
      "sub/x.txt",
      "MAR-INF/MANIFEST.json",
    ]);
    await symlink("/etc", join(dir, "etc"));
    await expect(
      createArchive({ modelName: "bad", modelPath: dir, handler: "h", exportPath: root }),
    ).rejects.toMatchObject({
      code: "ARCHIVE_UNSAFE_LINK",
    });
  });

  it("FIFOs are refused (reading one would hang)", async () => {
    const root = await useTempDir();
    const dir = await model(root);
    await run("mkfifo", [join(dir, "pipe")]);
    await refuses(dir, root, "ARCHIVE_UNSUPPORTED_FILE", /pipe is a FIFO/);
  });

  it("names with a newline, a backslash or invalid UTF-8, and Unicode-normalisation twins are refused", async () => {
    const root = await useTempDir();
    const exportPath = join(root, "export");
    await mkdir(exportPath);
    const cases: [string, string | Buffer, RegExp][] = [
      ["nl", "bad\nname.txt", /control character or a backslash/],
      ["bs", "bad\\name.txt", /control character or a backslash/],
      ["latin1", Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74]), /not valid UTF-8/],
    ];
    for (const [label, name, message] of cases) {
      const dir = await model(join(root, label));
      const path = Buffer.isBuffer(name) ? Buffer.concat([Buffer.from(`${dir}/`), name]) : join(dir, name);
      await writeFile(path, "x");
      await refuses(dir, exportPath, "ARCHIVE_UNSAFE_NAME", message);
    }
    const twins = await model(join(root, "twins"));
    await writeFile(join(twins, "caf\u00e9.txt"), "nfc");
    await writeFile(join(twins, "cafe\u0301.txt"), "nfd");
    await refuses(twins, exportPath, "ARCHIVE_UNSAFE_NAME", /differ only by Unicode normalisation/);
  });

  it("a ~4 KB path (near PATH_MAX) is archived and read back intact", async () => {
    const root = await useTempDir();
    const dir = await model(root);
    const segments = Array.from({ length: 16 }, (_, i) => `${String(i).padStart(2, "0")}${"d".repeat(228)}`);
    const deep = join(dir, ...segments);
    await mkdir(deep, { recursive: true });
    await writeFile(join(deep, "f.txt"), "deep");
    const name = `${segments.join("/")}/f.txt`;
    expect(name.length).toBeGreaterThan(3600);
    for (const archiveFormat of ["default", "tgz"] as const) {
      const result = await createArchive({
        modelName: "deep",
        modelPath: dir,
        handler: "h",
        exportPath: root,
        archiveFormat,
      });
      const read = await readWithPython(result.path);
      const names = read.entries.map((e) => e.name);
      expect(names).toContain(archiveFormat === "tgz" ? `deep/${name}` : name);
    }
  });

  it("the file-count and byte caps are enforced", async () => {
    const root = await useTempDir();
    const dir = await model(root);
    await expect(
      createArchive({ modelName: "c", modelPath: dir, handler: "h", exportPath: root, maxFiles: 1 }),
    ).rejects.toMatchObject({
      code: "ARCHIVE_LIMIT_EXCEEDED",
    });
    await expect(
      createArchive({ modelName: "c", modelPath: dir, handler: "h", exportPath: root, maxBytes: 500 }),
    ).rejects.toMatchObject({
      code: "ARCHIVE_LIMIT_EXCEEDED",
    });
  });

  it("a read-only model directory is never written to (reliability test 43)", async () => {
    const root = await useTempDir();
    const dir = await model(root);
    const before = await listDirectory(dir);
    await createArchive({
      modelName: "ro",
      modelPath: dir,
      handler: "h",
      exportPath: join(root),
      archiveFormat: "no-archive",
    });
    await createArchive({ modelName: "ro", modelPath: dir, handler: "h", exportPath: join(root) });
    expect(await listDirectory(dir)).toEqual(before);
  });
});

async function canMount(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const probe = `/tmp/sagemaker-serve-mount-probe-${process.pid}`;
  try {
    await mkdir(probe, { recursive: true });
    await run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]);
    await run("umount", [probe]);
    return true;
  } catch {
    return false;
  } finally {
    await run("rmdir", [probe]).catch(() => undefined);
  }
}

describe.skipIf(!(await canMount()))(
  "disk full and other filesystems (reliability test 41; needs root for a tmpfs)",
  () => {
    it("fails cleanly with ARCHIVE_NO_SPACE, before writing when the need is known, and removes the partial archive", async () => {
      const root = await useTempDir();
      const small = join(root, "small");
      await mkdir(small);
      await run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small]);
      onTestFinished(async () => {
        await run("umount", [small]);
      });
      const dir = join(root, "model");
      const { randomBytes } = await import("node:crypto");
      await makeTree(dir, { "weights.bin": randomBytes(3 * 1024 * 1024) });
      await expect(
        createArchive({ modelName: "m", modelPath: dir, handler: "h", exportPath: small }),
      ).rejects.toMatchObject({
        code: "ARCHIVE_NO_SPACE",
        message: expect.stringMatching(/needs at least 3145728 bytes/),
      });
      await makeTree(dir, { "weights.bin": Buffer.alloc(0), "noise.dat": randomBytes(3 * 1024 * 1024) });
      for (const archiveFormat of ["default", "tgz"] as const) {
        await expect(
          createArchive({ modelName: "m", modelPath: dir, handler: "h", exportPath: small, archiveFormat }),
        ).rejects.toMatchObject({ code: "ARCHIVE_NO_SPACE", message: expect.stringMatching(/ENOSPC/) });
        expect(await readdir(small)).toEqual([]);
      }
    });

    it("no-archive across filesystems falls back to copying; hardlink mode then fails with EXDEV", async () => {
      const root = await useTempDir();
      const other = join(root, "other");
      await mkdir(other);
      await run("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", other]);
      onTestFinished(async () => {
        await run("umount", [other]);
      });
      const dir = await model(root);
      const auto = await createArchive({
        modelName: "m",
        modelPath: dir,
        handler: "h",
        exportPath: other,
        archiveFormat: "no-archive",
      });
      expect(auto.linkMode).toBe("copy");
      expect(Object.keys(await listDirectory(auto.path)).sort()).toEqual([
        "MAR-INF/MANIFEST.json",
        "handler.py",
        "weights.bin",
      ]);
      await expect(
        createArchive({
          modelName: "h",
          modelPath: dir,
          handler: "h",
          exportPath: other,
          archiveFormat: "no-archive",
          linkMode: "hardlink",
        }),
      ).rejects.toMatchObject({ code: "ARCHIVE_WRITE_FAILED", cause: { code: "EXDEV" } });
      expect((await readdir(other)).sort()).toEqual(["m"]);
    });
  },
);
