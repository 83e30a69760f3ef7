import { describe, expect, it } from "vitest";
import { waitFor } from "@sagemaker-serve/test-utils";
import { findProcesses } from "@sagemaker-serve/test-utils/fake-launchers/fake-launchers";
import { ping, runCli, useServeSetup } from "./harness.ts";

describe("serve: stopping", () => {
  it("stops a serving server on SIGTERM: the group gets SIGTERM, the CLI exits 0 and nothing is left", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], { env: s.env({}, { WORKERS: 2, STOP_DELAY_MS: 300 }), cwd: s.dir });
    await cli.waitForOutput(/ready in \d+ ms/);
    expect((await findProcesses(s.dir)).length).toBeGreaterThanOrEqual(4);
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect((await findProcesses(s.dir)).filter((p) => p.state !== "Z")).toEqual([]);
  });

  it.each(["SIGINT", "SIGHUP"] as const)(
    "stops on %s like on SIGTERM: exit 0, nothing left",
    async (signal) => {
      const s = await useServeSetup({ flavors: ["mms"] });
      const cli = runCli([], { env: s.env({}, { WORKERS: 2 }), cwd: s.dir });
      await cli.waitForOutput(/ready in \d+ ms/);
      cli.child.kill(signal);
      expect(await cli.exit).toEqual({ code: 0, signal: null });
      expect(cli.output()).toContain(`server stopped (stopped, ${signal})`);
      expect((await findProcesses(s.dir)).filter((p) => p.state !== "Z")).toEqual([]);
    },
  );

  it("forwards SIGQUIT to the server (JVM thread dump) and keeps serving", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], { env: s.env(), cwd: s.dir });
    await cli.waitForOutput(/ready in \d+ ms/);
    cli.child.kill("SIGQUIT");
    await cli.waitForOutput("Full thread dump");
    expect((await ping(s.port)).status).toBe(200);
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
  });

  it.each(["SIGUSR1", "SIGUSR2"] as const)("forwards %s to the server and keeps serving", async (signal) => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], { env: s.env(), cwd: s.dir });
    await cli.waitForOutput(/ready in \d+ ms/);
    cli.child.kill(signal);
    await cli.waitForOutput(`received ${signal}`);
    expect((await ping(s.port)).status).toBe(200);
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
  });

  it("SIGKILLs a server that ignores SIGTERM when the grace period ends, and exits 137", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], {
      env: s.env({ SAGEMAKER_SERVE_STOP_GRACE_SECONDS: "1" }, { IGNORE_SIGTERM: "1" }),
      cwd: s.dir,
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 137, signal: null });
    expect(cli.output()).toContain("server did not stop in time: sent SIGKILL to its process group");
  });

  it("still stops the server when whoever read its output went away (EPIPE on every log line)", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], {
      env: s.env({ SAGEMAKER_SERVE_STOP_GRACE_SECONDS: "1" }, { IGNORE_SIGTERM: "1" }),
      cwd: s.dir,
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    cli.child.stdout!.destroy();
    cli.child.stderr!.destroy();
    expect((await ping(s.port)).status).toBe(200);
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 137, signal: null });
    expect((await findProcesses(s.dir)).filter((p) => p.state !== "Z")).toEqual([]);
  });

  it("escalates at once on a second SIGTERM", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], { env: s.env({}, { IGNORE_SIGTERM: "1" }), cwd: s.dir });
    await cli.waitForOutput(/ready in \d+ ms/);
    cli.child.kill("SIGTERM");
    await cli.waitForOutput("stopping the server");
    cli.child.kill("SIGTERM");
    // The default grace is 25 s; the test's 30 s timeout would fail if the second signal did not escalate.
    expect(await cli.exit).toEqual({ code: 137, signal: null });
  });

  it("stops while the JVM is still starting (not listening yet): exits 0, nothing left", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], { env: s.env({}, { STARTUP_DELAY_MS: 600_000 }), cwd: s.dir });
    await cli.waitForOutput("server process found");
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect(cli.output()).not.toMatch(/ready in \d+ ms/);
    expect((await findProcesses(s.dir)).filter((p) => p.state !== "Z")).toEqual([]);
  });

  it("stops during readiness: an Unhealthy server is never reported ready and SIGTERM ends the start", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], { env: s.env({}, { WORKER_READY_DELAY_MS: 600_000 }), cwd: s.dir });
    await cli.waitForOutput("server process found");
    await waitFor(async () => (await ping(s.port).catch(() => undefined))?.status === 200, {
      timeoutMs: 10_000,
      description: "the fake answering /ping",
    });
    expect(JSON.parse((await ping(s.port)).body)).toEqual({ status: "Unhealthy" });
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect(cli.output()).not.toMatch(/ready in \d+ ms/);
  });

  it("with SAGEMAKER_STARTUP_TIMEOUT=0 (the toolkit's one search) still waits for a slow JVM, with a warning", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], {
      env: s.env({ SAGEMAKER_STARTUP_TIMEOUT: "0" }, { STARTUP_DELAY_MS: 1500 }),
      cwd: s.dir,
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    expect(cli.output()).toMatch(/WARN SAGEMAKER_STARTUP_TIMEOUT=0: no start-up deadline/);
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
  });

  it.each(["Unhealthy", "Partial Healthy"])(
    "fails when the server stays %s past SAGEMAKER_STARTUP_TIMEOUT, never saying ready",
    async (status) => {
      const s = await useServeSetup({ flavors: ["mms"] });
      const cli = runCli([], {
        env: s.env({ SAGEMAKER_STARTUP_TIMEOUT: "2" }, { PING_STATUS: status }),
        cwd: s.dir,
      });
      expect(await cli.exit).toEqual({ code: 5, signal: null });
      expect(cli.output()).toContain("SERVER_NOT_READY");
      expect(cli.output()).not.toMatch(/ready in \d+ ms/);
    },
  );
});
