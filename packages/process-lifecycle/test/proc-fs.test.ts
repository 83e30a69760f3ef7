import { spawn } from "node:child_process";
import { waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import {
  isAlive,
  listDescendants,
  psAvailable,
  readCmdline,
  readProcessState,
  searchError,
  searchServerProcesses,
  signalGroup,
} from "../src/index.ts";
import { FAKE_SERVER, NODE, requirePid, trackedToken, unique } from "./helpers.ts";

/**
 * A parent that never reaps: `sh` backgrounds the fake server (exits after 150 ms), then execs into a
 * long-lived node that never calls wait, so the server stays a zombie with the main class gone from argv.
 */
function zombieFamily(mainClass: string, cleanups: (() => Promise<unknown>)[], token: string) {
  // The server runs until the test kills it; its parent (sh exec'd into an idle node) never reaps it.
  const script = `"$0" "$1" server --main-class "$2" --token "$3" & exec "$0" -e "setInterval(() => {}, 1e9)" "$3"`;
  const parent = spawn("sh", ["-c", script, NODE, FAKE_SERVER, mainClass, token], {
    detached: true,
    stdio: "ignore",
  });
  cleanups.push(async () => {
    if (parent.pid !== undefined) signalGroup(parent.pid, "SIGKILL");
  });
  return parent;
}

describe("/proc helpers and the zombie rules (reliability §6 case 11)", () => {
  it("a zombie answers kill(pid, 0) but isAlive says gone; its argv is empty and discovery skips it", async () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    const token = trackedToken(cleanups);
    const mainClass = unique("com.example.zombie.ModelServer");
    const parent = zombieFamily(mainClass, cleanups, token);
    const parentPid = requirePid(parent.pid, "the never-reaping parent");
    const serverPid = await waitFor(async () => {
      const { pids } = await searchServerProcesses(mainClass, { kind: "descendants", of: parentPid });
      return pids.length === 1 ? requirePid(pids[0], "the server") : undefined;
    });
    expect(await isAlive(serverPid)).toBe(true);
    expect(await readCmdline(serverPid)).toContain(mainClass);
    process.kill(serverPid, "SIGKILL");
    await waitFor(async () => (await readProcessState(serverPid))?.state === "Z", { timeoutMs: 5000 });
    expect(() => process.kill(serverPid, 0)).not.toThrow();
    expect(await isAlive(serverPid)).toBe(false);
    expect(await readCmdline(serverPid)).toEqual([]);
    for (const scope of [
      { kind: "descendants", of: parentPid } as const,
      { kind: "process-table" } as const,
    ]) {
      const result = await searchServerProcesses(mainClass, scope);
      expect(result.pids).toEqual([]);
      expect(searchError(mainClass, result, 0)?.code).toBe("SERVER_NOT_FOUND");
    }
    // Checklist item 24: next to the zombie, a live server with the same main class is found alone.
    const live = spawn(NODE, [FAKE_SERVER, "server", "--main-class", mainClass, "--token", token], {
      stdio: "ignore",
    });
    cleanups.push(async () => live.kill("SIGKILL"));
    const found = await waitFor(async () => {
      const { pids } = await searchServerProcesses(mainClass, { kind: "process-table" });
      return pids.length > 0 ? pids : undefined;
    });
    expect(found).toEqual([live.pid]);
    expect((await readProcessState(serverPid))?.state).toBe("Z");
  });

  it("readProcessState parses a comm with spaces and parentheses; gone processes are undefined", async () => {
    const own = await readProcessState(process.pid);
    expect(own).toMatchObject({
      pid: process.pid,
      ppid: process.ppid,
      state: expect.stringMatching(/^[RS]$/),
    });
    const cleanups: (() => Promise<unknown>)[] = [];
    const token = trackedToken(cleanups);
    const odd = spawn(NODE, ["-e", "process.title = 'a b) (c'; setInterval(() => {}, 1e9)", token], {
      stdio: "ignore",
    });
    const oddPid = requirePid(odd.pid, "the oddly named process");
    cleanups.push(async () => odd.kill("SIGKILL"));
    const state = await waitFor(async () => {
      const s = await readProcessState(oddPid);
      return s?.comm === "a b) (c" ? s : undefined;
    });
    expect(state.ppid).toBe(process.pid);
    expect(await readProcessState(2 ** 22 + 7)).toBeUndefined();
    expect(await isAlive(2 ** 22 + 7)).toBe(false);
    await expect(isAlive(0)).rejects.toThrow(TypeError);
  });

  it("ps-tree and /proc list the same descendants", async () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    const token = trackedToken(cleanups);
    const tree = spawn(
      "sh",
      [
        "-c",
        `"$0" -e "setInterval(()=>{},1e9)" "$1" & "$0" -e "setInterval(()=>{},1e9)" "$1" & wait`,
        NODE,
        token,
      ],
      {
        detached: true,
        stdio: "ignore",
      },
    );
    const treePid = requirePid(tree.pid, "the sh process tree");
    cleanups.push(async () => signalGroup(treePid, "SIGKILL"));
    const viaProc = await waitFor(async () => {
      const pids = await listDescendants(treePid, "proc");
      return pids.length === 2 ? pids : undefined;
    });
    expect(await psAvailable()).toBe(true);
    expect((await listDescendants(treePid, "ps")).sort()).toEqual([...viaProc].sort());
    expect((await listDescendants(treePid, "auto")).sort()).toEqual([...viaProc].sort());
  });
});
