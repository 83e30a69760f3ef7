import { spawn } from "node:child_process";
import psTree from "ps-tree";
import { isValidPid, readProcessTable } from "./proc-fs.ts";

/**
 * Where the process tree comes from: `ps` through ps-tree, `/proc` directly, or `auto` (ps-tree when a
 * `ps` binary runs, otherwise `/proc`, because slim images ship no `ps`).
 */
export type TreeSource = "auto" | "ps" | "proc";

let psAvailableMemo: Promise<boolean> | undefined;

/** True when a working `ps` binary is on the PATH (checked once per process). */
export function psAvailable(): Promise<boolean> {
  psAvailableMemo ??= new Promise<boolean>((resolve) => {
    const child = spawn("ps", ["-A", "-o", "pid"], { stdio: "ignore" });
    child.once("error", () => resolve(false));
    child.once("exit", (code) => resolve(code === 0));
  });
  return psAvailableMemo;
}

function descendantsByPs(pid: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    psTree(pid, (error, children) => {
      if (error) reject(error);
      else resolve(children.map((child) => Number(child.PID)).filter(isValidPid));
    });
  });
}

async function descendantsByProc(pid: number): Promise<number[]> {
  const byParent = new Map<number, number[]>();
  for (const p of await readProcessTable()) {
    const siblings = byParent.get(p.ppid);
    if (siblings) siblings.push(p.pid);
    else byParent.set(p.ppid, [p.pid]);
  }
  const found: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of byParent.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The pids of every descendant of `pid` (children, grandchildren, ...), not `pid` itself. */
export async function listDescendants(pid: number, source: TreeSource = "auto"): Promise<number[]> {
  if (!isValidPid(pid))
    throw new TypeError(`listDescendants: pid must be a positive integer, got ${String(pid)}`);
  if (source === "proc") return descendantsByProc(pid);
  // ps-tree lets a failed `ps` spawn surface as an uncaught 'error' event, so never call it without one.
  if (await psAvailable()) return descendantsByPs(pid);
  if (source === "ps") throw new Error("listDescendants: no working `ps` binary on the PATH");
  return descendantsByProc(pid);
}
