import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, readdir, readFile, lstat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
const READER = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "read_archive.py");

export interface PyZipEntry {
  name: string;
  mode: number;
  size: number;
  compressedSize: number;
  compressType: number;
  createSystem: number;
  flagBits: number;
  dateTime: number[];
  sha256: string;
}

export interface PyTarEntry {
  name: string;
  mode: number;
  type: string;
  size: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string;
  sha256?: string;
}

/** Reads an archive with Python's zipfile/tarfile (an independent implementation). */
export async function readWithPython(
  path: string,
): Promise<{ kind: "zip"; entries: PyZipEntry[] } | { kind: "tar"; entries: PyTarEntry[] }> {
  const { stdout } = await execFileAsync("python3", [READER, path], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as
    { kind: "zip"; entries: PyZipEntry[] } | { kind: "tar"; entries: PyTarEntry[] };
}

export async function readZipWithPython(path: string): Promise<PyZipEntry[]> {
  const result = await readWithPython(path);
  if (result.kind !== "zip") throw new Error(`${path} is not a zip`);
  return result.entries;
}

export async function readTarWithPython(path: string): Promise<PyTarEntry[]> {
  const result = await readWithPython(path);
  if (result.kind !== "tar") throw new Error(`${path} is not a tar`);
  return result.entries;
}

export function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Writes files (`name: content` or `name: { content, mode }`) below `root`. */
export async function makeTree(
  root: string,
  files: Record<string, string | Buffer | { content: string | Buffer; mode: number }>,
): Promise<void> {
  for (const [name, spec] of Object.entries(files)) {
    const path = join(root, name);
    await mkdir(dirname(path), { recursive: true });
    const content = typeof spec === "string" || Buffer.isBuffer(spec) ? spec : spec.content;
    await writeFile(path, content);
    if (typeof spec === "object" && !Buffer.isBuffer(spec)) await chmod(path, spec.mode);
  }
}

/** name -> { sha256, mode } of the files below `root` (a no-archive output), following nothing. */
export async function listDirectory(root: string): Promise<Record<string, { sha256: string; mode: number }>> {
  const out: Record<string, { sha256: string; mode: number }> = {};
  const visit = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name);
      const st = await lstat(full);
      const r = rel === "" ? name : `${rel}/${name}`;
      if (st.isDirectory()) await visit(full, r);
      else out[r] = { sha256: sha256(await readFile(full)), mode: st.mode };
    }
  };
  await visit(root, "");
  return out;
}
