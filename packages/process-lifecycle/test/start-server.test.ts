import { waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { exitCodeFor, isAlive, readProcessState } from "../src/index.ts";
import { liveWithToken } from "./helpers.ts";
import { launch } from "./launch.ts";

describe("startServer: discovery and readiness", () => {
  it("direct server (no main class): the launcher is the server; stop within grace → stopped, exit 0", async () => {
    const { handle, events } = await launch({ mode: "direct" });
    const { pid } = await handle.found;
    expect(pid).toBe(handle.launcherPid);
    await handle.ready;
    const exit = await handle.stop();
    expect(exit).toMatchObject({ kind: "stopped", code: 143, signal: null, stoppedBy: "request" });
    expect(exitCodeFor(exit)).toBe(0);
    expect(events.map((e) => e.type)).toEqual(["spawned", "found", "ready", "stopping", "exited"]);
  });

  it("foreground launcher: finds the server among the launcher's descendants, not its workers", async () => {
    const { handle, token } = await launch({ mode: "foreground", server: ["--workers", "3"] });
    const { pid } = await handle.found;
    expect(pid).not.toBe(handle.launcherPid);
    expect((await readProcessState(pid))?.ppid).toBe(handle.launcherPid);
    await handle.ready;
    // launcher + server + 3 workers, all in the launcher's process group
    await waitFor(async () => (await liveWithToken(token)).length === 5, { timeoutMs: 5000 });
    for (const member of await liveWithToken(token)) {
      expect((await readProcessState(member))?.pgid).toBe(handle.launcherPid);
    }
    const exit = await handle.stop();
    expect(exit.kind).toBe("stopped");
    expect(await liveWithToken(token)).toEqual([]);
  });

  it("daemonising launcher (exits 0 at once): found, and the launcher's exit is not the server's", async () => {
    const { handle } = await launch({ mode: "daemon" });
    const { pid } = await handle.found;
    await handle.ready;
    await waitFor(
      () => handle.launcherPid !== undefined && isAlive(handle.launcherPid).then((alive) => !alive),
    );
    expect(await isAlive(pid)).toBe(true);
    expect((await handle.stop()).kind).toBe("stopped");
    expect(await isAlive(pid)).toBe(false);
  });

  it("server orphaned while the launcher lingers: found by the whole-table scan once the launcher is gone", async () => {
    const { handle, events } = await launch({ mode: "double-fork" });
    const { pid } = await handle.found;
    expect(events.find((e) => e.type === "found")).toMatchObject({ via: "process-table", pid });
    await handle.ready;
    expect((await handle.stop()).kind).toBe("stopped");
  });

  it("works without a ps binary: the tree is read from /proc", async () => {
    const { handle } = await launch({ mode: "foreground", treeSource: "proc", server: ["--workers", "2"] });
    const { pid } = await handle.found;
    expect((await readProcessState(pid))?.ppid).toBe(handle.launcherPid);
    await handle.ready;
    await handle.stop();
  });

  it('MMS-style 200 "Unhealthy" is not ready: SERVER_NOT_READY at the deadline, and the group is stopped', async () => {
    const { handle } = await launch({
      server: ["--ping", "unhealthy"],
      // The deadline covers spawn and start-up too: the server must answer at least once before it on a loaded machine.
      startupTimeoutMs: 5000,
      stopGraceMs: 500,
    });
    await handle.found;
    const error = await handle.ready.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "SERVER_NOT_READY" });
    expect((error as Error).message).toContain("Unhealthy");
    expect((error as Error).message).toContain("5000 ms");
    const exit = await handle.exited;
    expect(exit).toMatchObject({
      kind: "failed",
      stoppedBy: "startup-failed",
      error: { code: "SERVER_NOT_READY" },
    });
    expect(exitCodeFor(exit)).toBe(1);
  });

  it("a /ping that never answers: each probe is cut at the client timeout, SERVER_NOT_READY at the deadline", async () => {
    const { handle } = await launch({
      server: ["--ping", "never"],
      startupTimeoutMs: 5000,
      stopGraceMs: 500,
    });
    await expect(handle.ready).rejects.toMatchObject({
      code: "SERVER_NOT_READY",
      message: expect.stringMatching(/last probe failed: no answer within \d+ ms$/),
    });
    expect((await handle.exited).kind).toBe("failed");
  });

  it("a server that crashes before it is ready fails fast with SERVER_EXITED_BEFORE_READY", async () => {
    const { handle } = await launch({
      mode: "direct",
      server: ["--ready-after", "60000", "--exit-after", "200", "--exit-code", "3"],
      startupTimeoutMs: 60_000,
    });
    const error = await handle.ready.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "SERVER_EXITED_BEFORE_READY" });
    expect((error as Error).message).toContain("with code 3");
    const exit = await handle.exited;
    expect(exit).toMatchObject({ kind: "failed", code: 3 });
    // Well before the 60 s deadline.
    expect(exit.ranMs).toBeLessThan(30_000);
  });

  it("no server process: the toolkit's 'unsuccessfully started' message after the deadline", async () => {
    const { handle, mainClass } = await launch({ mode: "no-server", startupTimeoutMs: 600 });
    const error = await handle.found.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "SERVER_NOT_FOUND" });
    expect((error as Error).message).toMatch(/^mms model server was unsuccessfully started: /);
    expect((error as Error).message).toContain(mainClass);
    await expect(handle.ready).rejects.toMatchObject({ code: "SERVER_NOT_FOUND" });
    expect((await handle.exited).kind).toBe("failed");
  });

  it("a startup timeout of 0 means exactly one discovery attempt (toolkit: SAGEMAKER_STARTUP_TIMEOUT=0)", async () => {
    const { handle } = await launch({ mode: "no-server", startupTimeoutMs: 0 });
    await expect(handle.found).rejects.toMatchObject({ code: "SERVER_NOT_FOUND" });
    expect((await handle.exited).kind).toBe("failed");
  });

  it("a launcher that fails (exit 1, like 'already running') fails fast instead of waiting out the deadline", async () => {
    const { handle } = await launch({
      mode: "no-server",
      launcherArgs: ["--launcher-exit", "1"],
      startupTimeoutMs: 60_000,
    });
    await expect(handle.found).rejects.toMatchObject({
      code: "SERVER_EXITED_BEFORE_READY",
      message: expect.stringContaining("exited with code 1"),
    });
    expect((await handle.exited).ranMs).toBeLessThan(30_000);
  });

  it("a foreground launcher that exits 0 without a server fails fast (java missing, 'already running')", async () => {
    const { handle, mainClass } = await launch({
      mode: "no-server",
      foreground: true,
      startupTimeoutMs: 60_000,
    });
    await expect(handle.found).rejects.toMatchObject({
      code: "SERVER_EXITED_BEFORE_READY",
      message: expect.stringContaining(
        `exited with code 0 before a process with the argv element "${mainClass}"`,
      ),
    });
    expect((await handle.exited).ranMs).toBeLessThan(30_000);
  });

  it("a second server that appears after discovery is caught before ready is reported", async () => {
    // The duplicate starts right after the server; /ping passes only 3 s later, so whichever of the two the
    // first scan saw, the check at readiness sees both.
    const { handle } = await launch({
      mode: "foreground",
      server: ["--duplicate", "--ready-after", "3000"],
      startupTimeoutMs: 30_000,
    });
    await expect(handle.ready).rejects.toMatchObject({ code: "SERVER_MULTIPLE" });
    expect((await handle.exited).kind).toBe("failed");
  });

  it("two server processes: the toolkit's 'multiple ... not supported' message", async () => {
    // An old server with the same main class is already running (the toolkit would attach to it).
    // Never ready (no HTTP): a long deadline keeps it alive, whatever the second launch's pace.
    const first = await launch({ mode: "direct", http: false, startupTimeoutMs: 60_000 });
    await first.handle.found;
    // The new server is not the launcher's descendant, so the whole-table scan sees both.
    const { handle } = await launch({
      mode: "double-fork",
      mainClass: first.mainClass,
      // Fails as soon as both are seen; the deadline only has to outlast a slow double fork.
      startupTimeoutMs: 10_000,
    });
    const error = await handle.found.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "SERVER_MULTIPLE" });
    expect((error as Error).message).toMatch(/^multiple mms model servers are not supported: 2 processes/);
    expect((await handle.exited).kind).toBe("failed");
    expect(await isAlive((await first.handle.found).pid)).toBe(true);
  });

  it("aborting the startup signal stops the server: ready rejects STARTUP_ABORTED, exit kind stopped", async () => {
    const controller = new AbortController();
    const { handle } = await launch({
      server: ["--ping", "unhealthy"],
      signal: controller.signal,
      startupTimeoutMs: 60_000,
    });
    await handle.found;
    controller.abort();
    await expect(handle.ready).rejects.toMatchObject({ code: "STARTUP_ABORTED" });
    expect(await handle.exited).toMatchObject({ kind: "stopped", stoppedBy: "abort" });
  });

  it("an already aborted signal spawns nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    const { handle } = await launch({ signal: controller.signal });
    expect(handle.launcherPid).toBeUndefined();
    await expect(handle.found).rejects.toMatchObject({ code: "STARTUP_ABORTED" });
    expect(await handle.exited).toMatchObject({ kind: "stopped", launcher: null });
  });

  it("a missing launcher is SERVER_SPAWN_FAILED", async () => {
    const { startServer } = await import("../src/index.ts");
    const handle = startServer({
      command: "/nonexistent/multi-model-server",
      args: ["--start", "secret-arg-zzz"],
      env: {},
      readiness: { url: "http://127.0.0.1:1/ping", isHealthy: () => true },
      startupTimeoutMs: 1000,
      stopGraceMs: 100,
    });
    const error = await handle.ready.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "SERVER_SPAWN_FAILED", message: expect.stringContaining("ENOENT") });
    expect((error as Error).message).not.toContain("secret-arg-zzz");
    expect(await handle.exited).toMatchObject({ kind: "failed" });
  });
});
