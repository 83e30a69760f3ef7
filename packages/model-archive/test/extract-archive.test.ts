import { access, copyFile, lstat, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { createArchive, extractArchive } from "../src/index.ts";
import { makeTree } from "./helpers.ts";

const MALICIOUS = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "malicious");

/** Copies a fixture into a fresh parent dir and tries to extract it to `<parent>/dest`. */
async function attempt(fixture: string): Promise<{ parent: string; error: unknown }> {
  const parent = await useTempDir();
  const archive = join(parent, fixture);
  await copyFile(join(MALICIOUS, fixture), archive);
  const error = await extractArchive(archive, join(parent, "dest")).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { parent, error };
}

async function absent(path: string): Promise<boolean> {
  return access(path).then(
    () => false,
    () => true,
  );
}

describe("extractArchive refuses crafted archives and writes nothing outside dest", () => {
  it.each([
    ["zip-dotdot.zip", "the path leaves the destination"],
    ["zip-absolute.zip", "absolute path"],
    ["zip-slashes.zip", "absolute path"],
    ["zip-sibling.zip", "the path leaves the destination"],
    ["zip-backslash.zip", "backslash"],
    ["zip-symlink-then-file.zip", "symbolic links in zip archives are not extracted"],
    ["tar-dotdot.tar.gz", "the path leaves the destination"],
    ["tar-absolute.tar.gz", "absolute path"],
    ["tar-slashes.tar.gz", "absolute path"],
    ["tar-sibling.tar.gz", "the path leaves the destination"],
    ["tar-symlink-then-file.tar.gz", "leaves the destination"],
    ["tar-symlink-absolute.tar.gz", "symbolic link"],
    ["tar-symlink-chain.tar.gz", "leaves the destination"],
    ["tar-hardlink-outside.tar.gz", "absolute path"],
    ["tar-hardlink-dotdot.tar.gz", "the path leaves the destination"],
    ["tar-device.tar.gz", "CharacterDevice"],
  ])("%s", async (fixture, why) => {
    const { parent, error } = await attempt(fixture);
    expect(error).toMatchObject({ code: "EXTRACT_UNSAFE_ENTRY" });
    expect((error as Error).message).toContain(why);
    expect(await readdir(parent)).toEqual([fixture]);
    expect(await absent("/tmp/sagemaker-serve-evil-abs.txt")).toBe(true);
    expect(await absent("/tmp/sagemaker-serve-evil-slashes.txt")).toBe(true);
  });

  it("extracts in-tree symlinks and hard links (a Hugging Face cache layout)", async () => {
    const parent = await useTempDir();
    const result = await extractArchive(join(MALICIOUS, "tar-benign-links.tar.gz"), join(parent, "dest"));
    expect(result).toMatchObject({ kind: "tar.gz", entries: 3, bytes: 8 });
    expect(await readlink(join(parent, "dest/snapshots/main/model.bin"))).toBe("../../blobs/abc");
    expect(await readFile(join(parent, "dest/snapshots/main/model.bin"), "utf8")).toBe("weights\n");
    const [a, b] = await Promise.all([
      lstat(join(parent, "dest/blobs/abc")),
      lstat(join(parent, "dest/same.bin")),
    ]);
    expect(a.ino).toBe(b.ino);
  });

  it("round-trips our own .mar and .tar.gz, keeping modes", async () => {
    const root = await useTempDir();
    await makeTree(join(root, "m"), { "a.py": "a", "d/b.sh": { content: "#!/bin/sh\n", mode: 0o750 } });
    for (const archiveFormat of ["default", "tgz"] as const) {
      const made = await createArchive({
        modelName: "m",
        modelPath: join(root, "m"),
        handler: "h",
        exportPath: root,
        archiveFormat,
      });
      const dest = join(root, `out-${archiveFormat}`);
      await extractArchive(made.path, dest);
      const base = archiveFormat === "tgz" ? join(dest, "m") : dest;
      expect(await readFile(join(base, "d/b.sh"), "utf8")).toBe("#!/bin/sh\n");
      expect((await lstat(join(base, "d/b.sh"))).mode & 0o777).toBe(0o750);
      expect(JSON.parse(await readFile(join(base, "MAR-INF/MANIFEST.json"), "utf8"))).toMatchObject({
        model: { modelName: "m" },
      });
    }
  });

  it("enforces the byte and entry caps, leaving nothing behind", async () => {
    const root = await useTempDir();
    await makeTree(join(root, "m"), { "big.txt": "x".repeat(100_000), "a.txt": "a", "b.txt": "b" });
    const made = await createArchive({
      modelName: "m",
      modelPath: join(root, "m"),
      handler: "h",
      exportPath: root,
    });
    await expect(extractArchive(made.path, join(root, "d1"), { maxBytes: 50_000 })).rejects.toMatchObject({
      code: "EXTRACT_LIMIT_EXCEEDED",
    });
    await expect(extractArchive(made.path, join(root, "d2"), { maxEntries: 2 })).rejects.toMatchObject({
      code: "EXTRACT_LIMIT_EXCEEDED",
    });
    expect((await readdir(root)).sort()).toEqual(["m", "m.mar"]);
  });

  it("refuses a destination that is not empty and a file that is not an archive", async () => {
    const root = await useTempDir();
    await makeTree(root, { "dest/x": "x", "junk.bin": "not an archive" });
    await expect(
      extractArchive(join(MALICIOUS, "tar-dotdot.tar.gz"), join(root, "dest")),
    ).rejects.toMatchObject({
      code: "EXTRACT_DEST_NOT_EMPTY",
    });
    await expect(extractArchive(join(root, "junk.bin"), join(root, "out"))).rejects.toMatchObject({
      code: "ARCHIVE_FORMAT_UNSUPPORTED",
    });
    await writeFile(
      join(root, "trunc.tar.gz"),
      (await readFile(join(MALICIOUS, "tar-benign-links.tar.gz"))).subarray(0, 60),
    );
    await expect(extractArchive(join(root, "trunc.tar.gz"), join(root, "out"))).rejects.toMatchObject({
      code: "ARCHIVE_CORRUPT",
    });
    expect((await readdir(root)).sort()).toEqual(["dest", "junk.bin", "trunc.tar.gz"]);
  });

  it("stops when the signal aborts", async () => {
    const root = await useTempDir();
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(
      extractArchive(join(MALICIOUS, "tar-benign-links.tar.gz"), join(root, "dest"), {
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: "ARCHIVE_ABORTED" });
    expect(await readdir(root)).toEqual([]);
  });
});
