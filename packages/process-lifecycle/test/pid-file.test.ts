import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { useTempDir, waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { clearStalePidFile, modelServerPidFilePath, readProcessState } from "../src/index.ts";
import { NODE, exists, requirePid, trackedToken } from "./helpers.ts";
import { launch } from "./launch.ts";

describe("modelServerPidFilePath (Python's tempfile.gettempdir order)", () => {
  it("takes TMPDIR, then TEMP, then TMP, skipping unusable ones, then /tmp", async () => {
    const dir = await useTempDir();
    const [a, b] = [join(dir, "a"), join(dir, "b")];
    await mkdir(a);
    await mkdir(b);
    const cwd = dir;
    expect(await modelServerPidFilePath({ env: { TMPDIR: a, TEMP: b }, cwd })).toBe(
      join(a, ".model_server.pid"),
    );
    expect(await modelServerPidFilePath({ env: { TMPDIR: join(dir, "missing"), TEMP: b }, cwd })).toBe(
      join(b, ".model_server.pid"),
    );
    expect(await modelServerPidFilePath({ env: { TMPDIR: "", TMP: a }, cwd })).toBe(
      join(a, ".model_server.pid"),
    );
    expect(await modelServerPidFilePath({ env: {}, cwd })).toBe("/tmp/.model_server.pid");
  });
});

describe("clearStalePidFile (reliability §6 case 18)", () => {
  it("no file: nothing to do", async () => {
    const dir = await useTempDir();
    expect(await clearStalePidFile({ path: join(dir, ".model_server.pid") })).toEqual({ action: "none" });
  });

  it("removes a file pointing at an unrelated live process, a dead pid, or garbage", async () => {
    const dir = await useTempDir();
    const path = join(dir, ".model_server.pid");
    const cleanups: (() => Promise<unknown>)[] = [];
    const token = trackedToken(cleanups);
    const unrelated = spawn(NODE, ["-e", "setInterval(() => {}, 1e9)", token], { stdio: "ignore" });
    cleanups.push(async () => unrelated.kill("SIGKILL"));
    await waitFor(() => readProcessState(requirePid(unrelated.pid, "the unrelated process")));
    await writeFile(path, String(unrelated.pid));
    expect(await clearStalePidFile({ path })).toEqual({
      action: "removed",
      reason: "unrelated",
      pid: unrelated.pid,
    });
    expect(await exists(path)).toBe(false);

    await writeFile(path, "1");
    expect(await clearStalePidFile({ path })).toMatchObject({
      action: "removed",
      reason: "unrelated",
      pid: 1,
    });

    await writeFile(path, String(2 ** 22 + 11));
    expect(await clearStalePidFile({ path })).toMatchObject({ action: "removed", reason: "dead" });
    await writeFile(path, "not a pid\n");
    expect(await clearStalePidFile({ path })).toEqual({ action: "removed", reason: "unreadable", pid: null });
    expect(await exists(path)).toBe(false);
  });

  it("keeps a file that belongs to a live model server", async () => {
    const dir = await useTempDir();
    const path = join(dir, ".model_server.pid");
    const { handle, mainClass } = await launch({ mode: "direct", http: false });
    const { pid } = await handle.found;
    await writeFile(path, String(pid));
    expect(await clearStalePidFile({ path, mainClasses: [mainClass] })).toEqual({
      action: "kept",
      reason: "server-running",
      pid,
    });
    expect(await readFile(path, "utf8")).toBe(String(pid));
  });

  it("end to end: an MMS-like launcher refuses to start on the stale file; after clearing it starts", async () => {
    const dir = await useTempDir();
    const pidFile = join(dir, ".model_server.pid");
    // The stale file holds our own (live, unrelated) pid, like PID 1 in a restarted container.
    await writeFile(pidFile, String(process.pid));
    const blocked = await launch({
      mode: "daemon",
      launcherArgs: ["--pid-file", pidFile],
      startupTimeoutMs: 60_000,
    });
    await expect(blocked.handle.ready).rejects.toMatchObject({ code: "SERVER_EXITED_BEFORE_READY" });
    await blocked.handle.exited;
    expect(blocked.lines).toContain(
      "Model server is already running, please use multi-model-server --stop to stop MMS.",
    );

    expect(await clearStalePidFile({ path: pidFile })).toMatchObject({
      action: "removed",
      reason: "unrelated",
    });
    const started = await launch({ mode: "daemon", launcherArgs: ["--pid-file", pidFile] });
    await started.handle.ready;
    expect(await readFile(pidFile, "utf8")).toBe(String((await started.handle.found).pid));
    expect((await started.handle.stop()).kind).toBe("stopped");
  });
});
