import { readdir, readFile } from "node:fs/promises";

/** One line of `/proc/<pid>/stat`, the fields this package needs. */
export interface ProcessState {
  pid: number;
  /** The executable name as the kernel keeps it (at most 15 characters). */
  comm: string;
  /** `R`, `S`, `D`, `T`, `Z` (zombie), `X` (dead), ... */
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
}

const PROC = "/proc";

/** True when `value` is a pid this package may signal or inspect (never 0, never negative). */
export function isValidPid(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

/**
 * Reads `/proc/<pid>/stat`. Undefined when the process does not exist (or `/proc` is not mounted).
 * The command name can hold spaces and parentheses, so the fields are taken after the last `)`.
 */
export async function readProcessState(pid: number): Promise<ProcessState | undefined> {
  if (!isValidPid(pid))
    throw new TypeError(`readProcessState: pid must be a positive integer, got ${String(pid)}`);
  let text: string;
  try {
    text = await readFile(`${PROC}/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open === -1 || close === -1) return undefined;
  const fields = text.slice(close + 2).split(" ");
  const [state = "?", ppid = "0", pgid = "0", sid = "0"] = fields;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state,
    ppid: Number(ppid),
    pgid: Number(pgid),
    sid: Number(sid),
  };
}

/**
 * The exact argv of a process from `/proc/<pid>/cmdline`. Undefined when the process is gone or
 * unreadable; a zombie has an empty argv.
 */
export async function readCmdline(pid: number): Promise<string[] | undefined> {
  if (!isValidPid(pid))
    throw new TypeError(`readCmdline: pid must be a positive integer, got ${String(pid)}`);
  let raw: string;
  try {
    raw = await readFile(`${PROC}/${pid}/cmdline`, "utf8");
  } catch {
    return undefined;
  }
  if (raw === "") return [];
  return (raw.endsWith("\0") ? raw.slice(0, -1) : raw).split("\0");
}

/** True for a state that means the process has finished running (zombie or dead). */
export function isGoneState(state: string): boolean {
  return state === "Z" || state === "X" || state === "x";
}

/**
 * Zombie-proof liveness: `kill(pid, 0)` answers success for a zombie, so a process whose `/proc` state
 * is `Z` (exited, not yet reaped — the normal fate of an orphan under a Node PID 1) counts as gone.
 * Without `/proc` the signal probe decides.
 */
export async function isAlive(pid: number): Promise<boolean> {
  if (!isValidPid(pid)) throw new TypeError(`isAlive: pid must be a positive integer, got ${String(pid)}`);
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const state = await readProcessState(pid);
  if (state === undefined) return await procMounted().then((mounted) => !mounted);
  return !isGoneState(state.state);
}

let procMountedMemo: Promise<boolean> | undefined;
function procMounted(): Promise<boolean> {
  procMountedMemo ??= readFile(`${PROC}/self/stat`, "utf8").then(
    () => true,
    () => false,
  );
  return procMountedMemo;
}

/** The pids listed in `/proc`, in no particular order. */
export async function listPids(): Promise<number[]> {
  const names = await readdir(PROC);
  const pids: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (isValidPid(pid)) pids.push(pid);
  }
  return pids;
}

/** Every process in `/proc` with its state; processes that vanish during the scan are left out. */
export async function readProcessTable(): Promise<ProcessState[]> {
  const states = await Promise.all((await listPids()).map((pid) => readProcessState(pid)));
  return states.filter((state): state is ProcessState => state !== undefined);
}

/** Live (not zombie) members of a process group, found through `/proc`. */
export async function liveGroupMembers(pgid: number): Promise<number[]> {
  const table = await readProcessTable();
  return table.filter((p) => p.pgid === pgid && !isGoneState(p.state)).map((p) => p.pid);
}
