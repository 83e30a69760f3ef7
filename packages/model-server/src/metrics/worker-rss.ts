import { readFile } from "node:fs/promises";

/**
 * Resident set size of a process in bytes, from the `VmRSS` line of `/proc/<pid>/status` (kB, so no page size is
 * needed); undefined when the process is gone, is a zombie (no `VmRSS`) or there is no procfs.
 */
export async function residentBytes(pid: number): Promise<number | undefined> {
  let status: string;
  try {
    status = await readFile(`/proc/${pid}/status`, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ESRCH") return undefined;
    throw error;
  }
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match === null ? undefined : Number(match[1]) * 1024;
}
