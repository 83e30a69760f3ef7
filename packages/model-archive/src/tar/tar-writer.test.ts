import { open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { readTarWithPython, sha256 } from "../../test/helpers.ts";
import { TarGzWriter } from "./tar-writer.ts";

describe("TarGzWriter", () => {
  it("writes PAX names for long and non-ASCII paths, stores or deflates per member, and Python reads it", async () => {
    const dir = await useTempDir();
    const path = join(dir, "t.tar.gz");
    const writer = await TarGzWriter.create(path);
    const long = `m/${"x".repeat(150)}/f.txt`;
    const body = Buffer.from("hello tar\n".repeat(300_000));
    await writeFile(join(dir, "body"), body);
    const meta = { mode: 0o100640, uid: 1234, gid: 99, mtime: new Date(1_700_000_000_000) };
    for (const [name, method] of [
      [long, "deflate"],
      ["m/wëights.bin", "store"],
    ] as const) {
      const handle = await open(join(dir, "body"), "r");
      await writer.addFile({ ...meta, name, size: body.length }, method, handle, () => {});
      await handle.close();
    }
    await writer.addBuffer({ ...meta, name: "m/MAR-INF/MANIFEST.json", size: 0 }, Buffer.from("{}"));
    await writer.finish();
    const entries = await readTarWithPython(path);
    expect(entries.map((e) => [e.name, e.mode, e.uid, e.gid, e.mtime, e.sha256])).toEqual([
      [long, 0o640, 1234, 99, 1_700_000_000, sha256(body)],
      ["m/wëights.bin", 0o640, 1234, 99, 1_700_000_000, sha256(body)],
      ["m/MAR-INF/MANIFEST.json", 0o640, 1234, 99, 1_700_000_000, sha256("{}")],
    ]);
  });
});
