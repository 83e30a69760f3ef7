import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it, onTestFinished } from "vitest";

const PYTHON_DIR = fileURLToPath(new URL("../python/", import.meta.url));

// A parent (standing in for the Node front end) starts a "worker" that arms die_with_parent and then stays busy
// in a handler for a minute, never reading the socket whose EOF would otherwise tell it the parent is gone.
const PARENT = `
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(__import__("os").getpid())])
print(child.pid, flush=True)
time.sleep(600)
`;
const WORKER = (expectedParent: string) => `
import sys, time
from sagemaker_serve_worker.parent_death import die_with_parent
print("armed" if die_with_parent(${expectedParent}) else "unsupported", flush=True)
time.sleep(60)
`;

async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  return stat !== undefined && !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

function startParent(worker: string) {
  const parent = spawn("python3", ["-c", PARENT, worker], {
    env: { PATH: process.env.PATH, PYTHONPATH: PYTHON_DIR },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  parent.stdout.on("data", (chunk) => (output += chunk));
  const pids = () => output.split("\n").filter(Boolean);
  onTestFinished(() => {
    parent.kill("SIGKILL");
    const child = Number(pids()[0]);
    if (child > 0) process.kill(child, "SIGKILL");
  });
  return { parent, lines: pids };
}

describe("die_with_parent (python/sagemaker_serve_worker/parent_death.py)", () => {
  it("kills a busy worker the moment its front end dies", async () => {
    const { parent, lines } = startParent(WORKER("int(sys.argv[1])"));
    await waitFor(() => lines().length >= 2, { description: "the worker is armed" });
    expect(lines()[1]).toBe("armed");
    const worker = Number(lines()[0]);
    expect(await alive(worker)).toBe(true);
    const exited = once(parent, "exit");
    parent.kill("SIGKILL");
    await exited;
    await waitFor(async () => !(await alive(worker)), { timeoutMs: 5000, description: "the worker is gone" });
  });

  it("exits at once when the front end it was started for is already gone", async () => {
    // 1 stands for a parent pid that is not ours any more: the worker must not live on unwatched.
    const { lines } = startParent(WORKER("1"));
    await waitFor(() => lines().length >= 1, { description: "the worker started" });
    const worker = Number(lines()[0]);
    await waitFor(async () => !(await alive(worker)), { timeoutMs: 5000, description: "the worker is gone" });
    expect(lines()).toHaveLength(1);
  });
});
