import { isValidPid } from "./proc-fs.ts";

/**
 * Sends `signal` to the process group `pgid` (`kill(-pgid, signal)`). Refuses pgid 1 and our own pid:
 * `kill(-1)` would signal every process we may signal. True when the signal was delivered to someone
 * (a group of zombies counts); false when the group is empty.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (!isValidPid(pgid) || pgid === 1 || pgid === process.pid) {
    throw new TypeError(`signalGroup: refusing to signal process group ${String(pgid)}`);
  }
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** Sends `signal` to one process; false when it is gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  if (!isValidPid(pid) || pid === process.pid) {
    throw new TypeError(`signalProcess: refusing to signal pid ${String(pid)}`);
  }
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}
