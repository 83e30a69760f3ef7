import { randomBytes } from "node:crypto";
import { lstat, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { errnoCode } from "../errors.ts";

/** A hidden name next to `target` for writing before the final rename (same directory, so same filesystem). */
export function tempSibling(target: string, label = "tmp"): string {
  return join(
    dirname(target),
    `.${basename(target)}.${label}-${process.pid}-${randomBytes(4).toString("hex")}`,
  );
}

/** True when something (file, directory, link, even a broken one) exists at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false;
    throw error;
  }
}

/**
 * Moves `temp` onto `target`. A file replaces a file atomically; an existing directory (or a file replaced by a
 * directory) is first moved aside and removed only after the new one is in place, so no stale files survive.
 */
export async function commitOutput(temp: string, target: string): Promise<void> {
  const [tempStat, targetStat] = await Promise.all([lstat(temp), lstat(target).catch(() => undefined)]);
  if (targetStat === undefined || (!targetStat.isDirectory() && !tempStat.isDirectory())) {
    await rename(temp, target);
    return;
  }
  const aside = tempSibling(target, "old");
  await rename(target, aside);
  try {
    await rename(temp, target);
  } catch (error) {
    await rename(aside, target).catch(() => undefined);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}
