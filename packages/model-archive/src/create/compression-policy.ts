import { extname } from "node:path";
import { promisify } from "node:util";
import { deflateRaw } from "node:zlib";
import { open } from "node:fs/promises";
import type { SourceFile } from "../files/source-file.ts";

/** How file contents are compressed: `auto` decides per file, `deflate` and `store` apply to every file. */
export type Compression = "auto" | "deflate" | "store";

/** Per-file decision. */
export type EntryMethod = "deflate" | "store";

/** Extensions `auto` stores without trying: weights and formats that are already compressed. */
export const STORED_EXTENSIONS: ReadonlySet<string> = new Set([
  ".bin",
  ".pt",
  ".pth",
  ".safetensors",
  ".onnx",
  ".params",
  ".gguf",
  ".ckpt",
  ".h5",
  ".npz",
  ".tflite",
  ".mar",
  ".zip",
  ".gz",
  ".tgz",
  ".bz2",
  ".xz",
  ".zst",
  ".7z",
  ".jpg",
  ".jpeg",
  ".png",
  ".gif",
  ".webp",
  ".mp3",
  ".mp4",
]);

/** Files at least this big are stored by `auto` unless the probe shrinks them to half or less. */
export const AUTO_LARGE_FILE_BYTES = 64 * 1024 * 1024;
const PROBE_BYTES = 128 * 1024;
const SMALL_FILE_BYTES = 4096;

const deflateRawAsync = promisify(deflateRaw);

/** Decides deflate or store for one file (reads at most 128 KiB of it for `auto`). */
export async function chooseEntryMethod(file: SourceFile, compression: Compression): Promise<EntryMethod> {
  if (compression !== "auto") return compression;
  if (STORED_EXTENSIONS.has(extname(file.name).toLowerCase())) return "store";
  if (file.size <= SMALL_FILE_BYTES) return "deflate";
  const ratio = await probeRatio(file.source, Math.min(file.size, PROBE_BYTES));
  if (ratio > 0.9) return "store";
  if (file.size >= AUTO_LARGE_FILE_BYTES && ratio > 0.5) return "store";
  return "deflate";
}

async function probeRatio(path: string, length: number): Promise<number> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    if (bytesRead === 0) return 0;
    const compressed = await deflateRawAsync(buffer.subarray(0, bytesRead), { level: 1 });
    return compressed.length / bytesRead;
  } finally {
    await handle.close();
  }
}
