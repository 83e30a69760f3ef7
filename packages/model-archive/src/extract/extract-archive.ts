import { constants } from "node:fs";
import {
  link,
  lstat,
  mkdir,
  open,
  readdir,
  realpath,
  rename,
  rm,
  rmdir,
  symlink,
  unlink,
} from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { detectArchiveKind } from "./archive-kind.ts";
import { tempSibling } from "../io/atomic-output.ts";
import { abortedError, archiveError, errnoCode, readFailure } from "../errors.ts";
import { isInside } from "../io/path-inside.ts";
import { readTar } from "../tar/tar-reader.ts";
import { openZip, openZipEntry, zipEntries, zipEntryMode, zipEntryName } from "../zip/zip-reader.ts";

export interface ExtractArchiveOptions {
  signal?: AbortSignal;
  /** Cap on the bytes written (counted while writing, not trusted from headers). Default 256 GiB. */
  maxBytes?: number;
  /** Cap on the number of entries. Default 100,000. */
  maxEntries?: number;
}

export interface ExtractArchiveResult {
  /** The destination directory. */
  path: string;
  kind: "zip" | "tar.gz" | "tar";
  entries: number;
  bytes: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

function unsafe(name: string, why: string): Error {
  return archiveError(
    "EXTRACT_UNSAFE_ENTRY",
    `Refusing archive entry ${JSON.stringify(name)}: ${why}.`,
    "the archive is malformed or malicious; nothing was written outside the destination",
  );
}

/** Splits an entry name into safe path segments, or throws. `[]` means the root itself (`./`). */
export function safeEntrySegments(name: string): string[] {
  if (name.includes("\0")) throw unsafe(name, "the name contains NUL");
  if (name.includes("\\")) throw unsafe(name, "the name contains a backslash");
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) throw unsafe(name, "absolute path");
  const segments = name.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw unsafe(name, "the path leaves the destination (..)");
  return segments;
}

interface Pending {
  kind: "symlink" | "hardlink";
  name: string;
  path: string;
  target: string;
}

/** The extraction state shared by the zip and tar readers. */
class Extraction {
  entries = 0;
  bytes = 0;
  readonly files = new Set<string>();
  readonly pending: Pending[] = [];
  readonly root: string;
  readonly maxBytes: number;
  readonly maxEntries: number;
  readonly signal: AbortSignal | undefined;

  constructor(root: string, maxBytes: number, maxEntries: number, signal: AbortSignal | undefined) {
    this.root = root;
    this.maxBytes = maxBytes;
    this.maxEntries = maxEntries;
    this.signal = signal;
  }

  count(name: string): void {
    if (this.signal?.aborted) throw abortedError(this.signal);
    this.entries += 1;
    if (this.entries > this.maxEntries) {
      throw archiveError(
        "EXTRACT_LIMIT_EXCEEDED",
        `The archive has more than ${this.maxEntries} entries (at ${JSON.stringify(name)}).`,
        "raise maxEntries if the archive is trusted",
      );
    }
  }

  private tooBig(name: string): Error {
    return archiveError(
      "EXTRACT_LIMIT_EXCEEDED",
      `The archive expands to more than ${this.maxBytes} bytes (at ${JSON.stringify(name)}).`,
      "raise maxBytes if the archive is trusted",
    );
  }

  checkDeclared(name: string, size: number): void {
    if (this.bytes + size > this.maxBytes) throw this.tooBig(name);
  }

  target(segments: string[]): string {
    const path = join(this.root, ...segments);
    if (!isInside(this.root, path)) throw unsafe(segments.join("/"), "the path leaves the destination");
    return path;
  }

  /** mkdir -p below root, refusing to pass through anything that is not a real directory. */
  async directory(segments: string[]): Promise<void> {
    let current = this.root;
    for (const segment of segments) {
      current = join(current, segment);
      try {
        await mkdir(current, { mode: 0o755 });
      } catch (error) {
        if (errnoCode(error) !== "EEXIST") throw error;
        const st = await lstat(current);
        if (!st.isDirectory()) throw unsafe(segments.join("/"), `${segment} is both a file and a directory`);
      }
    }
  }

  async file(name: string, segments: string[], mode: number, data: Readable): Promise<void> {
    if (segments.length === 0) throw unsafe(name, "a file cannot replace the destination");
    await this.directory(segments.slice(0, -1));
    const path = this.target(segments);
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const fileMode = (mode & 0o777) | 0o600;
    let handle;
    try {
      handle = await open(path, flags, fileMode);
    } catch (error) {
      if (errnoCode(error) !== "EEXIST") throw error;
      const st = await lstat(path);
      if (st.isDirectory()) throw unsafe(name, "it is both a directory and a file");
      await unlink(path);
      handle = await open(path, flags, fileMode);
    }
    try {
      for await (const chunk of data) {
        const buffer = chunk as Buffer;
        this.bytes += buffer.length;
        if (this.bytes > this.maxBytes) throw this.tooBig(name);
        if (this.signal?.aborted) throw abortedError(this.signal);
        await handle.write(buffer);
      }
      await handle.chmod(fileMode);
    } finally {
      await handle.close();
    }
    this.files.add(segments.join("/"));
  }

  /** Links are made last, after every file is written, so no write can go through one. */
  async finishLinks(): Promise<void> {
    for (const p of this.pending.filter((x) => x.kind === "hardlink")) {
      const targetSegments = safeEntrySegments(p.target);
      if (!this.files.has(targetSegments.join("/"))) {
        throw unsafe(p.name, `hard link to ${JSON.stringify(p.target)}, which is not a file in the archive`);
      }
      const path = this.target(safeEntrySegments(p.name));
      await this.directory(safeEntrySegments(p.name).slice(0, -1));
      await rm(path, { force: true });
      await link(this.target(targetSegments), path);
    }
    const symlinks = this.pending.filter((x) => x.kind === "symlink");
    for (const p of symlinks) {
      if (isAbsolute(p.target) || p.target.includes("\0") || p.target.includes("\\")) {
        throw unsafe(p.name, `symbolic link to ${JSON.stringify(p.target)}`);
      }
      const segments = safeEntrySegments(p.name);
      if (segments.length === 0) throw unsafe(p.name, "a link cannot replace the destination");
      const path = this.target(segments);
      if (!isInside(this.root, resolve(dirname(path), p.target))) {
        throw unsafe(p.name, `symbolic link to ${JSON.stringify(p.target)} leaves the destination`);
      }
      await this.directory(segments.slice(0, -1));
      await rm(path, { force: true });
      await symlink(p.target, path);
    }
    // Links can chain through other links; check what the kernel resolves, now that all exist.
    const rootReal = await realpath(this.root);
    for (const p of symlinks) {
      const path = this.target(safeEntrySegments(p.name));
      let real: string;
      try {
        real = await realpath(path);
      } catch {
        throw unsafe(p.name, `symbolic link to ${JSON.stringify(p.target)} is broken or loops`);
      }
      if (!isInside(rootReal, real))
        throw unsafe(p.name, `symbolic link to ${JSON.stringify(p.target)} leaves the destination`);
    }
  }
}

async function extractZip(path: string, x: Extraction): Promise<void> {
  const zip = await openZip(path);
  try {
    for await (const entry of zipEntries(zip)) {
      const name = zipEntryName(entry);
      x.count(name);
      const segments = safeEntrySegments(name);
      const mode = zipEntryMode(entry);
      const type = mode === undefined ? undefined : mode & S_IFMT;
      if (type === S_IFLNK) throw unsafe(name, "symbolic links in zip archives are not extracted");
      if (name.endsWith("/") || type === S_IFDIR) {
        await x.directory(segments);
        continue;
      }
      if (type !== undefined && type !== 0 && type !== 0o100000) throw unsafe(name, "not a regular file");
      x.checkDeclared(name, entry.uncompressedSize);
      await x.file(name, segments, mode ?? 0o644, await openZipEntry(zip, entry));
    }
  } finally {
    zip.close();
  }
}

async function extractTar(path: string, x: Extraction): Promise<void> {
  await readTar(
    path,
    async (entry) => {
      x.count(entry.path);
      const segments = safeEntrySegments(entry.path);
      switch (entry.type) {
        case "File":
        case "OldFile":
        case "ContiguousFile":
          x.checkDeclared(entry.path, entry.size);
          await x.file(entry.path, segments, entry.mode ?? 0o644, entry as unknown as Readable);
          return;
        case "Directory":
          entry.resume();
          await x.directory(segments);
          return;
        case "SymbolicLink":
        case "Link":
          entry.resume();
          x.pending.push({
            kind: entry.type === "Link" ? "hardlink" : "symlink",
            name: entry.path,
            path: entry.path,
            target: entry.linkpath ?? "",
          });
          return;
        default:
          throw unsafe(entry.path, `entries of type ${entry.type} are not extracted`);
      }
    },
    x.signal,
  );
}

async function prepareDestination(dest: string): Promise<void> {
  try {
    const st = await lstat(dest);
    if (!st.isDirectory() || (await readdir(dest)).length > 0) {
      throw archiveError(
        "EXTRACT_DEST_NOT_EMPTY",
        `Extraction destination ${dest} exists and is not an empty directory.`,
        "extract into a new or empty directory",
      );
    }
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw error;
  }
  await mkdir(dirname(dest), { recursive: true });
}

/**
 * Extracts a `.mar`/zip or a `.tar.gz`/tar into `dest` (new or empty). Nothing is ever written outside `dest`:
 * absolute names, `..`, backslashes, device entries, zip symlinks, links leaving `dest` and hard links to
 * anything but an extracted file are refused; symlinks are created only after every file is written. The
 * archive is unpacked into a temporary sibling and renamed onto `dest`, so a refusal leaves nothing behind.
 *
 * @throws ServeError `EXTRACT_UNSAFE_ENTRY`, `EXTRACT_LIMIT_EXCEEDED`, `EXTRACT_DEST_NOT_EMPTY`, `ARCHIVE_CORRUPT`,
 * `ARCHIVE_NOT_FOUND`, `ARCHIVE_FORMAT_UNSUPPORTED`, `ARCHIVE_ABORTED`.
 */
export async function extractArchive(
  path: string,
  dest: string,
  options: ExtractArchiveOptions = {},
): Promise<ExtractArchiveResult> {
  const { signal, maxBytes = 256 * 2 ** 30, maxEntries = 100_000 } = options;
  const kind = await detectArchiveKind(path);
  if (kind === "directory") {
    throw archiveError(
      "ARCHIVE_FORMAT_UNSUPPORTED",
      `${path} is a directory, not an archive.`,
      "use the directory as it is",
    );
  }
  const destination = resolve(dest);
  await prepareDestination(destination);
  const temp = tempSibling(destination, "extract");
  await mkdir(temp, { mode: 0o755 });
  const x = new Extraction(temp, maxBytes, maxEntries, signal);
  try {
    if (kind === "zip") await extractZip(path, x);
    else await extractTar(path, x);
    await x.finishLinks();
    await rmdir(destination).catch((error: unknown) => {
      if (errnoCode(error) !== "ENOENT") throw error;
    });
    await rename(temp, destination);
    return { path: destination, kind, entries: x.entries, bytes: x.bytes };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw readFailure(
      error,
      `Cannot extract ${path}`,
      "the archive is damaged or truncated (or the destination is not writable)",
      signal,
    );
  }
}
