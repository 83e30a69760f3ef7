import { mkdir, rename, rm, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { tempSibling } from "../io/atomic-output.ts";
import type { EntryMethod } from "./compression-policy.ts";
import { abortedError, writeError } from "../errors.ts";
import { fileChanged, openSourceFile } from "../files/open-source.ts";
import type { SourceFile } from "../files/source-file.ts";

export interface WriteEntriesOptions {
  files: readonly SourceFile[];
  signal: AbortSignal | undefined;
  chooseMethod: (file: SourceFile) => Promise<EntryMethod>;
  /** Writes one entry from the open file; resolves the bytes read. */
  add: (file: SourceFile, method: EntryMethod, handle: FileHandle) => Promise<number>;
  onStart: (file: SourceFile) => void;
  onDone: () => void;
}

/** Feeds every file to a zip or tar writer; returns how many were stored rather than deflated. */
export async function writeEntries(options: WriteEntriesOptions): Promise<number> {
  let stored = 0;
  for (const file of options.files) {
    if (options.signal?.aborted) throw abortedError(options.signal);
    options.onStart(file);
    const method = await options.chooseMethod(file);
    if (method === "store") stored += 1;
    const handle = await openSourceFile(file);
    try {
      const read = await options.add(file, method, handle);
      if (read !== file.size) throw fileChanged(file, read);
    } finally {
      await handle.close();
    }
    options.onDone();
  }
  return stored;
}

/** MMS no-archive onto the model directory itself: only `MAR-INF/MANIFEST.json` is written (atomically). */
export async function writeManifestInPlace(
  directory: string,
  manifest: string,
  exportArg: string,
): Promise<void> {
  const dir = join(directory, "MAR-INF");
  const file = join(dir, "MANIFEST.json");
  const temp = tempSibling(file);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, manifest, { mode: 0o644, flag: "wx" });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw writeError(error, exportArg, file);
  }
}
