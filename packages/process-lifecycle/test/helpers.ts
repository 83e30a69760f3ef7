import { access } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { waitFor } from "@sagemaker-serve/test-utils";
// Outside the ephemeral range: a port from listen(0) could be taken by an outgoing connection before the fake binds it.
export { freePort } from "@sagemaker-serve/test-utils";
import { expect, onTestFinished } from "vitest";
import { isGoneState, readCmdline, readProcessState } from "../src/proc-fs.ts";
import { listPids } from "../src/proc-fs.ts";

export const FAKE_SERVER = fileURLToPath(new URL("./fixtures/fake-server.mjs", import.meta.url));
export const TOOL = fileURLToPath(new URL("./fixtures/tool.mjs", import.meta.url));
export const NODE = process.execPath;

/** A per-test random suffix: main classes and tokens never collide with another test's (or package's) processes. */
export function unique(prefix: string): string {
  return `${prefix}${randomBytes(6).toString("hex")}`;
}

/**
 * `pid` when it names one real process; otherwise fails the test. A missing pid must never become 0 or a
 * negative number: `kill(0)` or `kill(-0)` signals the test runner's own process group.
 */
export function requirePid(pid: number | undefined, what: string): number {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 1) {
    throw new Error(`test set-up: no usable pid for ${what} (got ${String(pid)})`);
  }
  return pid;
}

/** Live (non-zombie) processes whose argv has the element `token`. */
export async function liveWithToken(token: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await listPids()) {
    const argv = await readCmdline(pid);
    if (!argv?.includes(token)) continue;
    const state = await readProcessState(pid);
    if (state && !isGoneState(state.state)) found.push(pid);
  }
  return found;
}

/**
 * A token for this test's fixture processes; when the test finishes, runs `cleanups` (newest first),
 * then asserts that none of them is left (after a short settle), killing any that are so they cannot
 * leak into other tests.
 */
export function trackedToken(cleanups: (() => Promise<unknown>)[] = []): string {
  const token = unique("tok-");
  onTestFinished(async () => {
    for (const cleanup of [...cleanups].reverse()) await cleanup().catch(() => undefined);
    let left: number[] = [];
    try {
      await waitFor(async () => ((left = await liveWithToken(token)).length === 0 ? true : undefined), {
        timeoutMs: 3000,
        intervalMs: 50,
        description: "fixture processes gone",
      });
    } catch {
      for (const pid of left) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    expect(left, `fixture processes left behind (token ${token})`).toEqual([]);
  });
  return token;
}

/** MMS-style health: 200 and a body whose status is "Healthy". */
export function mmsHealthy(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    return (JSON.parse(body) as { status?: string }).status === "Healthy";
  } catch {
    return false;
  }
}

export function pingUrl(port: number): string {
  return `http://127.0.0.1:${port}/ping`;
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
