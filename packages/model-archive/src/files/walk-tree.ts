import { lstat, readdir, realpath, readlink, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Stats } from "node:fs";
import { abortedError, archiveError, errnoCode } from "../errors.ts";
import { isInside } from "../io/path-inside.ts";
import { assertNoNormalisationTwins, decodeEntryName } from "./safe-name.ts";
import type { CollectLimits, SourceFile } from "./source-file.ts";

export interface WalkTreeOptions {
  /** Directory to walk. */
  root: string;
  /** Keep a directory (by name)? */
  directoryFilter: (name: string) => boolean;
  /** Keep a file (by name)? Default keeps all. */
  fileFilter?: (name: string) => boolean;
  /** Real paths never to include (the archive being written, its temp file). */
  excludeRealPaths?: ReadonlySet<string>;
  /** Prepended to every archive name (`""` for none). */
  namePrefix?: string;
  limits: CollectLimits;
  /** Running totals shared across several walks. */
  totals?: { files: number; bytes: number };
  signal?: AbortSignal;
}

function fileKind(st: Stats): string {
  if (st.isFIFO()) return "FIFO";
  if (st.isSocket()) return "socket";
  if (st.isCharacterDevice()) return "character device";
  if (st.isBlockDevice()) return "block device";
  return "special file";
}

export function unsupportedFile(name: string, st: Stats): Error {
  return archiveError(
    "ARCHIVE_UNSUPPORTED_FILE",
    `${name} is a ${fileKind(st)}, not a regular file or directory.`,
    "remove it from the model directory; only regular files are archived",
  );
}

export function checkLimits(limits: CollectLimits, totals: { files: number; bytes: number }): void {
  if (totals.files > limits.maxFiles) {
    throw archiveError(
      "ARCHIVE_LIMIT_EXCEEDED",
      `The model has more than ${limits.maxFiles} files.`,
      "remove files the model does not need or raise maxFiles",
    );
  }
  if (totals.bytes > limits.maxBytes) {
    throw archiveError(
      "ARCHIVE_LIMIT_EXCEEDED",
      `The model's files add up to more than ${limits.maxBytes} bytes.`,
      "remove files the model does not need or raise maxBytes",
    );
  }
}

/**
 * Collects the regular files below `root` in `os.walk` order (a directory's files, then its sub-directories;
 * names sorted). Symlinks to files inside the tree are followed, symlinks to directories are skipped (MMS);
 * broken links, links leaving the tree, link loops and device/FIFO/socket files are refused.
 */
export async function walkTree(options: WalkTreeOptions): Promise<SourceFile[]> {
  const {
    directoryFilter,
    fileFilter = () => true,
    excludeRealPaths = new Set(),
    namePrefix = "",
    limits,
    signal,
  } = options;
  const totals = options.totals ?? { files: 0, bytes: 0 };
  const rootReal = await realpath(options.root);
  const out: SourceFile[] = [];
  const visited = new Set<string>();

  const visit = async (dirReal: string, relDir: string): Promise<void> => {
    if (signal?.aborted) throw abortedError(signal);
    const dirStat = await stat(dirReal);
    const key = `${dirStat.dev}:${dirStat.ino}`;
    if (visited.has(key)) {
      throw archiveError(
        "ARCHIVE_UNSAFE_LINK",
        `Directory ${relDir || "."} is reached twice (a mount or link loop).`,
        "remove the loop from the model directory",
      );
    }
    visited.add(key);
    const raw = await readdir(dirReal, { encoding: "buffer" });
    raw.sort(Buffer.compare);
    const names = raw.map((r) => decodeEntryName(r, relDir));
    assertNoNormalisationTwins(names, relDir);
    const subdirs: { real: string; rel: string }[] = [];
    for (const name of names) {
      const full = join(dirReal, name);
      const rel = relDir === "" ? name : `${relDir}/${name}`;
      const st = await lstat(full);
      if (st.isDirectory()) {
        if (directoryFilter(name)) subdirs.push({ real: full, rel });
        continue;
      }
      let source = full;
      let target = st;
      if (st.isSymbolicLink()) {
        const resolved = await resolveLink(full, rel, rootReal);
        if (resolved === undefined) continue;
        source = resolved.real;
        target = resolved.stat;
        if (target.isDirectory()) continue;
      }
      if (!target.isFile()) throw unsupportedFile(rel, target);
      if (!fileFilter(name) || excludeRealPaths.has(full) || excludeRealPaths.has(source)) continue;
      totals.files += 1;
      totals.bytes += target.size;
      checkLimits(limits, totals);
      out.push({
        name: namePrefix + rel,
        source,
        size: target.size,
        mode: target.mode,
        mtimeMs: target.mtimeMs,
        uid: target.uid,
        gid: target.gid,
      });
    }
    for (const sub of subdirs) {
      if (excludeRealPaths.has(sub.real)) continue;
      await visit(sub.real, sub.rel);
    }
  };

  await visit(rootReal, "");
  return out;
}

async function resolveLink(
  full: string,
  rel: string,
  rootReal: string,
): Promise<{ real: string; stat: Stats } | undefined> {
  let real: string;
  try {
    real = await realpath(full);
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ELOOP") {
      throw archiveError(
        "ARCHIVE_UNSAFE_LINK",
        `Symbolic link ${rel} is part of a link loop.`,
        "remove the loop from the model directory",
        error,
      );
    }
    if (code === "ENOENT" || code === "ENOTDIR") {
      const target = await readlink(full).catch(() => "?");
      throw archiveError(
        "ARCHIVE_UNSAFE_LINK",
        `Symbolic link ${rel} is broken: its target ${target} does not exist.`,
        "fix or remove the link",
        error,
      );
    }
    throw error;
  }
  if (!isInside(rootReal, real)) {
    throw archiveError(
      "ARCHIVE_UNSAFE_LINK",
      `Symbolic link ${rel} points outside the model directory (to ${real}).`,
      "copy the file into the model directory instead of linking to it",
    );
  }
  return { real, stat: await stat(real) };
}
