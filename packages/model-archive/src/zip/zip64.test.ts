import { execFile } from "node:child_process";
import { open, stat, statfs } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { crc32 } from "node:zlib";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { openZip, readZipEntry, zipEntries, zipEntryName } from "./zip-reader.ts";
import { ZipWriter } from "./zip-writer.ts";

const execFileAsync = promisify(execFile);
const FOUR_GIB = 2 ** 32;
// Past every 32-bit field: the member's sizes, and the offsets of every member after it.
const BIG_SIZE = FOUR_GIB + 1024 * 1024;
// Past the 16-bit entry count of the end-of-central-directory record.
const SMALL_COUNT = 0xffff + 10;
const MARKER = Buffer.from("end of a sparse 4 GiB member");

// Python's zipfile reads the archive on its own: the totals, the Zip64 fields it parsed and every small member past
// 4 GiB in full (each read checks the local header at its offset). The big member's local header (Zip64 extra with
// both sizes) and its last bytes are read at the offsets the central directory gives.
const PYTHON_CHECK = `
import json, struct, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    infos = z.infolist()
    big = infos[0]
    small = [z.read(i).decode() == i.filename for i in infos[1:]]
with open(sys.argv[1], "rb") as f:
    f.seek(big.header_offset)
    local = f.read(30)
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    f.seek(name_length, 1)
    local_extra = f.read(extra_length)
    f.seek(big.file_size - int(sys.argv[2]), 1)
    tail = f.read(int(sys.argv[2]))
print(json.dumps({
    "count": len(infos),
    "bigName": big.filename,
    "bigSize": big.file_size,
    "bigCompressType": big.compress_type,
    "bigCrc": big.CRC,
    "bigExtractVersion": big.extract_version,
    "bigLocalSizes": list(struct.unpack("<I I", local[18:26])),
    "bigLocalZip64": list(struct.unpack("<HHQQ", local_extra)),
    "bigTail": tail.decode(),
    "lastName": infos[-1].filename,
    "lastOffset": infos[-1].header_offset,
    "smallOk": all(small),
}))
`;

/**
 * About 4 GiB of output must really be written; on tmpfs that is a memory copy, on this disk under load a minute.
 * The format does not depend on the file system, so use /dev/shm when it has room.
 */
async function roomyTempDir(): Promise<string> {
  const shm = await statfs("/dev/shm").catch(() => undefined);
  const room = shm === undefined ? 0 : shm.bavail * shm.bsize;
  return useTempDir(room > 3 * BIG_SIZE ? { parent: "/dev/shm" } : {});
}

/** CRC-32 of the sparse input (zeros, then the marker), computed independently of the writer. */
function crcOfSparseInput(): number {
  const zeros = Buffer.alloc(64 * 1024 * 1024);
  let crc = 0;
  for (let left = BIG_SIZE - MARKER.length; left > 0; left -= zeros.length) {
    crc = crc32(zeros.subarray(0, Math.min(left, zeros.length)), crc);
  }
  return crc32(MARKER, crc);
}

describe("ZipWriter Zip64", () => {
  it("writes more than 65,535 entries at offsets past 4 GiB after a 4 GiB+ stored member; Python and our reader agree", async () => {
    const dir = await roomyTempDir();
    // A sparse input: costs no disk, reads as zeros, ends with a marker.
    const input = join(dir, "big.bin");
    const source = await open(input, "w+");
    await source.truncate(BIG_SIZE);
    await source.write(MARKER, 0, MARKER.length, BIG_SIZE - MARKER.length);
    const path = join(dir, "z64.mar");
    const writer = await ZipWriter.create(path);
    const mtime = new Date(2024, 0, 2, 3, 4, 6);
    const read = await writer.addFile(
      { name: "weights.bin", mode: 0o100644, mtime, method: "store" },
      source,
      BIG_SIZE,
      () => {},
    );
    await source.close();
    for (let i = 0; i < SMALL_COUNT; i += 1) {
      const name = `s/${String(i).padStart(5, "0")}`;
      await writer.addBuffer({ name, mode: 0o100644, mtime, method: "store" }, Buffer.from(name));
    }
    await writer.finish();
    expect(read).toBe(BIG_SIZE);
    expect((await stat(path)).size).toBeGreaterThan(BIG_SIZE);

    const { stdout } = await execFileAsync("python3", ["-c", PYTHON_CHECK, path, String(MARKER.length)]);
    const py = JSON.parse(stdout) as Record<string, unknown>;
    expect(py).toMatchObject({
      count: SMALL_COUNT + 1,
      bigName: "weights.bin",
      bigSize: BIG_SIZE,
      bigCompressType: 0,
      bigCrc: crcOfSparseInput(),
      bigExtractVersion: 45,
      bigLocalSizes: [0xffffffff, 0xffffffff],
      bigLocalZip64: [1, 16, BIG_SIZE, BIG_SIZE],
      bigTail: MARKER.toString(),
      lastName: `s/${String(SMALL_COUNT - 1).padStart(5, "0")}`,
      smallOk: true,
    });
    expect(py.lastOffset).toBeGreaterThan(FOUR_GIB);

    const zip = await openZip(path);
    try {
      let count = 0;
      let last = "";
      for await (const entry of zipEntries(zip)) {
        if (count === 0) {
          expect(zipEntryName(entry)).toBe("weights.bin");
          expect(entry.uncompressedSize).toBe(BIG_SIZE);
          expect(entry.crc32).toBe(py.bigCrc);
        } else if (count % 8192 === 0 || count === SMALL_COUNT) {
          // A sample of members read in full: each read seeks to an offset past 4 GiB.
          expect(entry.relativeOffsetOfLocalHeader).toBeGreaterThan(FOUR_GIB);
          expect((await readZipEntry(zip, entry, 64)).toString()).toBe(zipEntryName(entry));
        }
        last = zipEntryName(entry);
        count += 1;
      }
      expect(count).toBe(SMALL_COUNT + 1);
      expect(last).toBe(`s/${String(SMALL_COUNT - 1).padStart(5, "0")}`);
    } finally {
      zip.close();
    }
  }, 300_000);
});
