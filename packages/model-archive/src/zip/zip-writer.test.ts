import { open, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { readZipWithPython, sha256 } from "../../test/helpers.ts";
import { dosDateTime, ZipWriter, type ZipEntryMeta } from "./zip-writer.ts";

describe("ZipWriter", () => {
  it("uses a Zip64 local header where Python would (size hint over ~2 GiB), and Python reads it", async () => {
    const dir = await useTempDir();
    const path = join(dir, "z.mar");
    const writer = await ZipWriter.create(path);
    const data = Buffer.from("zip64 body");
    const mtime = new Date(2024, 1, 3, 4, 5, 6);
    await writeFile(join(dir, "one"), data);
    await writeFile(join(dir, "two"), Buffer.concat([data, data]));
    const inputs: [string, ZipEntryMeta, number][] = [
      ["one", { name: "big.bin", mode: 0o100644, mtime, method: "store" }, 2 ** 31],
      ["two", { name: "ünïcode.txt", mode: 0o100755, mtime, method: "deflate" }, 20],
    ];
    for (const [file, meta, hint] of inputs) {
      const handle = await open(join(dir, file), "r");
      await writer.addFile(meta, handle, hint, () => {});
      await handle.close();
    }
    await writer.addBuffer(
      { name: "MAR-INF/MANIFEST.json", mode: 0o600, mtime, method: "deflate" },
      Buffer.from("{}"),
    );
    await writer.finish();
    const entries = await readZipWithPython(path);
    expect(entries.map((e) => [e.name, e.mode, e.compressType, e.flagBits, e.sha256])).toEqual([
      ["big.bin", 0o100644, 0, 0, sha256(data)],
      ["ünïcode.txt", 0o100755, 8, 0x800, sha256(Buffer.concat([data, data]))],
      ["MAR-INF/MANIFEST.json", 0o600, 8, 0, sha256("{}")],
    ]);
    expect(entries[0]?.dateTime).toEqual([2024, 2, 3, 4, 5, 6]);
    // big.bin is first: its local header needs version 45 and a Zip64 extra (id 1, 16 bytes: both sizes),
    // which Python reads whether or not it is there; the sizes in the fixed fields are 0xffffffff.
    const local = (await readFile(path)).subarray(0, 30 + "big.bin".length + 20);
    expect([
      local.readUInt16LE(4),
      local.readUInt32LE(18),
      local.readUInt32LE(22),
      local.readUInt16LE(28),
    ]).toEqual([45, 0xffffffff, 0xffffffff, 20]);
    const extra = local.subarray(30 + "big.bin".length);
    expect([extra.readUInt16LE(0), extra.readUInt16LE(2), extra.readBigUInt64LE(4)]).toEqual([1, 16, 10n]);
  });

  it("copies a file bigger than one read-ahead chunk intact", async () => {
    const dir = await useTempDir();
    const data = Buffer.alloc(9 * 1024 * 1024 + 3);
    for (let i = 0; i < data.length; i += 4096) data[i] = i % 251;
    await writeFile(join(dir, "big"), data);
    const writer = await ZipWriter.create(join(dir, "z.mar"));
    const handle = await open(join(dir, "big"), "r");
    let reported = 0;
    const read = await writer.addFile(
      { name: "big", mode: 0o100600, mtime: new Date(), method: "store" },
      handle,
      data.length,
      (n) => (reported += n),
    );
    await handle.close();
    await writer.finish();
    expect(read).toBe(data.length);
    expect(reported).toBe(data.length);
    expect((await readZipWithPython(join(dir, "z.mar")))[0]?.sha256).toBe(sha256(data));
  });

  it("clamps DOS times to 1980..2107 (Python raises before 1980)", () => {
    expect(dosDateTime(new Date(1970, 0, 1))).toEqual(dosDateTime(new Date(1980, 0, 1, 0, 0, 0)));
    expect(dosDateTime(new Date(2200, 0, 1)).dosDate >> 9).toBe(127);
  });
});
