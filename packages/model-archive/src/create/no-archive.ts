import { constants } from "node:fs";
import { chmod, copyFile, link, mkdir, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { abortedError, errnoCode } from "../errors.ts";
import type { SourceFile } from "../files/source-file.ts";

/** How `no-archive` places files: `auto` hard-links and copies where it cannot (another filesystem). */
export type LinkMode = "auto" | "copy" | "hardlink" | "symlink";

export interface WriteDirectoryOptions {
  files: readonly SourceFile[];
  /** Directory to create (must not exist). */
  directory: string;
  manifest: string;
  linkMode: LinkMode;
  onFile: (file: SourceFile) => void;
  signal?: AbortSignal;
}

/** What `auto` used in the end. */
export type LinkModeUsed = "copy" | "hardlink" | "symlink" | "mixed";

async function copyWithMode(file: SourceFile, to: string): Promise<void> {
  await copyFile(file.source, to, constants.COPYFILE_FICLONE);
  await chmod(to, file.mode & 0o7777);
}

/** Writes the `no-archive` layout: the files at their archive names plus `MAR-INF/MANIFEST.json` (0644). */
export async function writeDirectory(options: WriteDirectoryOptions): Promise<LinkModeUsed> {
  const { files, directory, manifest, linkMode, onFile, signal } = options;
  await mkdir(directory, { mode: 0o755 });
  const made = new Set<string>([directory]);
  const used = new Set<"copy" | "hardlink" | "symlink">();
  for (const file of files) {
    if (signal?.aborted) throw abortedError(signal);
    const to = join(directory, ...file.name.split("/"));
    const parent = dirname(to);
    if (!made.has(parent)) {
      await mkdir(parent, { recursive: true, mode: 0o755 });
      made.add(parent);
    }
    if (linkMode === "symlink") {
      await symlink(file.source, to);
      used.add("symlink");
    } else if (linkMode === "copy") {
      await copyWithMode(file, to);
      used.add("copy");
    } else {
      try {
        await link(file.source, to);
        used.add("hardlink");
      } catch (error) {
        const code = errnoCode(error);
        if (
          linkMode === "hardlink" ||
          !(code === "EXDEV" || code === "EPERM" || code === "EMLINK" || code === "EACCES")
        ) {
          throw error;
        }
        await copyWithMode(file, to);
        used.add("copy");
      }
    }
    onFile(file);
  }
  await mkdir(join(directory, "MAR-INF"), { recursive: true, mode: 0o755 });
  await writeFile(join(directory, "MAR-INF", "MANIFEST.json"), manifest, { mode: 0o644, flag: "wx" });
  if (used.size === 0) return linkMode === "auto" ? "hardlink" : linkMode;
  return used.size === 1 ? ([...used][0] as LinkModeUsed) : "mixed";
}
