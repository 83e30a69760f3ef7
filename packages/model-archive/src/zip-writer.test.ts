import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { readZipWithPython, sha256 } from "../test/helpers.ts";
import { dosDateTime, ZipWriter } from "./zip-writer.ts";

describe("ZipWriter", () => {
  it("uses a Zip64 local header where Python would (size hint over ~2 GiB), and Python reads it", async () => {
    const dir = await useTempDir();
    const path = join(dir, "z.mar");
    const writer = await ZipWriter.create(path);
    const data = Buffer.from("zip64 body");
    const mtime = new Date(2024, 1, 3, 4, 5, 6);
    await writer.addStream(
      { name: "big.bin", mode: 0o100644, mtime, method: "store" },
      Readable.from([data]),
      2 ** 31,
      () => {},
    );
    await writer.addStream(
      { name: "ünïcode.txt", mode: 0o100755, mtime, method: "deflate" },
      Readable.from([data, data]),
      20,
      () => {},
    );
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
  });

  it("clamps DOS times to 1980..2107 (Python raises before 1980)", () => {
    expect(dosDateTime(new Date(1970, 0, 1))).toEqual(dosDateTime(new Date(1980, 0, 1, 0, 0, 0)));
    expect(dosDateTime(new Date(2200, 0, 1)).dosDate >> 9).toBe(127);
  });
});
