import { execFile, spawn, type ChildProcess } from "node:child_process";
import { access, readFile, readdir } from "node:fs/promises";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import type { BuiltinServerConfig } from "../src/index.ts";
import { testConfig } from "../test/helpers.ts";

// Shared by the benchmarks: ports, health waits, the gunicorn + Flask venv, RSS readings, stopping baselines.

const run = promisify(execFile);
const VENV = fileURLToPath(new URL("../node_modules/.cache/bench-venv", import.meta.url));

/** The tests' server config serving the bench's echo handler with 2 workers; `overrides` on top. */
export function echoConfig(overrides: Partial<BuiltinServerConfig> = {}): BuiltinServerConfig {
  return testConfig({
    modelDir: fileURLToPath(new URL("echo", import.meta.url)),
    handlerService: "echo_handler",
    workers: 2,
    startupTimeoutMs: 60_000,
    stopGraceMs: 5000,
    ...overrides,
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export async function waitHealthy(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`${url} never became healthy`);
}

export async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

export async function ensureVenv(): Promise<string> {
  const python = `${VENV}/bin/python`;
  try {
    await access(`${VENV}/bin/gunicorn`);
  } catch {
    console.log("creating the gunicorn + Flask venv (pip install flask gunicorn) ...");
    await run("python3", ["-m", "venv", VENV]);
    await run(python, ["-m", "pip", "install", "-q", "flask", "gunicorn"], { maxBuffer: 1 << 24 });
  }
  return `${VENV}/bin/gunicorn`;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid!, "SIGTERM");
  await Promise.race([exited, sleep(5000)]);
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

/** RSS in KiB of every process in group `pgid` (a baseline server and its workers). */
export async function groupRssKb(pgid: number): Promise<number> {
  let total = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) total += await rssKb(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/**
 * Starts a baseline server on a free port — gunicorn + Flask with `workers` sync workers, or the in-process
 * ThreadingHTTPServer — waits until it is healthy, runs `measure` against its base URL, and stops it.
 */
export async function withBaseline<T>(
  kind: "gunicorn" | "threading",
  workers: number,
  measure: (base: string, child: ChildProcess) => Promise<T>,
): Promise<T> {
  const port = await freePort();
  const bench = fileURLToPath(new URL(".", import.meta.url));
  const [command, args] =
    kind === "gunicorn"
      ? [
          await ensureVenv(),
          ["-k", "sync", "-w", String(workers), "-b", `127.0.0.1:${port}`, "--chdir", bench, "flask_app:app"],
        ]
      : ["python3", [`${bench}threading_server.py`, String(port)]];
  const child = spawn(command, args, { stdio: "ignore", detached: true });
  try {
    await waitHealthy(`http://127.0.0.1:${port}/ping`);
    return await measure(`http://127.0.0.1:${port}`, child);
  } finally {
    await stopChild(child);
  }
}
