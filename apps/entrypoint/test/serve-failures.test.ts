import { once } from "node:events";
import { spawn } from "node:child_process";
import { access, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { waitFor } from "@sagemaker-serve/test-utils";
import { findProcesses } from "@sagemaker-serve/test-utils/fake-launchers/fake-launchers";
import { runCli, useServeSetup } from "./harness.ts";

describe("serve: failures", () => {
  it("exits non-zero promptly when the server crashes while serving, leaving nothing", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], {
      env: s.env({}, { CRASH_AFTER_MS: 300, CRASH_EXIT_CODE: 3, WORKERS: 2 }),
      cwd: s.dir,
    });
    await cli.waitForOutput(/ready in \d+ ms/);
    // The JVM is not our child (the foreground launcher exits 0 whatever it did), so its status is unknown: 1.
    expect(await cli.exit).toEqual({ code: 1, signal: null });
    expect(cli.output()).toContain("the model server exited by itself");
  });

  it.each([
    ["an uncaught exception", "SIGUSR2", "injected crash", []],
    ["an unhandled rejection, under tini", "SIGUSR1", "injected rejection", ["/usr/bin/tini", "-s", "--"]],
  ] as const)(
    "takes the server down with it when sagemaker-serve itself dies of %s",
    async (_bug, signal, text, wrapper) => {
      const s = await useServeSetup({ flavors: ["mms"] });
      const cli = runCli([], {
        // A server that ignores SIGTERM: only the crash guard's SIGKILL can end it in time.
        env: s.env({}, { IGNORE_SIGTERM: "1", WORKERS: 2 }),
        cwd: s.dir,
        wrapper: [...wrapper],
        nodeArgs: ["--import", new URL("fixtures/node/inject-bug.mjs", import.meta.url).href],
      });
      await cli.waitForOutput(/ready in \d+ ms/);
      expect((await findProcesses(s.dir)).length).toBeGreaterThanOrEqual(4);
      cli.child.kill(signal);
      // Under tini, tini exits with Node's code.
      expect(await cli.exit).toEqual({ code: 1, signal: null });
      expect(cli.output()).toContain(`Error: ${text} (test fixture)`);
      expect(cli.output()).toContain("This is a bug in sagemaker-serve");
      expect(cli.output()).toContain("killed the model server's process groups before exiting");
      await waitFor(async () => (await findProcesses(s.dir)).every((p) => p.state === "Z"), {
        description: "the server's processes are gone",
      });
    },
  );

  it("refuses to supervise two server processes (multiple mms model servers)", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli([], {
      env: s.env({ SAGEMAKER_STARTUP_TIMEOUT: "3" }, { SECOND_SERVER: "1" }),
      cwd: s.dir,
    });
    expect(await cli.exit).toEqual({ code: 5, signal: null });
    expect(cli.output()).toContain("SERVER_MULTIPLE");
    expect(cli.output()).toContain("multiple mms model servers are not supported");
    expect(cli.output()).not.toMatch(/ready in \d+ ms/);
  });

  it("starts despite a stale pid file that names a live, unrelated process", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    onTestFinished(() => void sleeper.kill("SIGKILL"));
    await writeFile(join(s.dir, ".model_server.pid"), String(sleeper.pid));
    const cli = runCli([], { env: s.env(), cwd: s.dir });
    await cli.waitForOutput(/ready in \d+ ms/);
    expect(cli.output()).toContain(
      `removed stale pid file ${join(s.dir, ".model_server.pid")} (unrelated, pid ${sleeper.pid})`,
    );
    const server = (await s.fakes.records()).find((r) => r.role === "server")!;
    expect(await readFile(join(s.dir, ".model_server.pid"), "utf8")).toBe(String(server.pid));
    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
  });

  it("fails fast with 'address in use' when the port is taken, spawning nothing", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const blocker = createServer().listen(s.port, "0.0.0.0");
    await once(blocker, "listening");
    onTestFinished(() => void blocker.close());
    const cli = runCli([], { env: s.env(), cwd: s.dir });
    expect(await cli.exit).toEqual({ code: 5, signal: null });
    expect(cli.output()).toContain(`error PORT_IN_USE: port ${s.port} is already in use`);
    expect(await s.fakes.records()).toEqual([]);
  });

  it("lists every environment problem at once, exits 2 and starts nothing", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const cli = runCli(["serve"], {
      env: s.env({
        SAGEMAKER_BIND_TO_PORT: "80 80",
        SAGEMAKER_MODEL_SERVER_TIMEOUT: "20.0",
        SAGEMAKER_SERVE_BACKEND: "jetty",
        CA_REPOSITORY_ARN: "invalid_arn",
        SAGEMAKER_MODEL_SERVER_WORKERS: "2\nplugins_path=/tmp/x",
      }),
      cwd: s.dir,
    });
    expect(await cli.exit).toEqual({ code: 2, signal: null });
    const output = cli.output();
    expect(output).toContain("error ENV_INVALID");
    for (const name of [
      "SAGEMAKER_BIND_TO_PORT",
      "SAGEMAKER_MODEL_SERVER_TIMEOUT",
      "SAGEMAKER_SERVE_BACKEND",
      "CA_REPOSITORY_ARN",
      "SAGEMAKER_MODEL_SERVER_WORKERS",
    ]) {
      expect(output).toMatch(new RegExp(`  - ${name}: `));
    }
    // The toolkit's text, checked before any AWS or pip call.
    expect(output).toContain("invalid CodeArtifact repository arn invalid_arn");
    expect(await s.fakes.records()).toEqual([]);
    await expect(access(s.configPath)).rejects.toThrow();
  });

  it("says which launcher is missing when a backend is forced", async () => {
    const s = await useServeSetup({ flavors: [] });
    const cli = runCli(["serve", "--backend", "torchserve"], { env: s.env(), cwd: s.dir });
    expect(await cli.exit).toEqual({ code: 5, signal: null });
    expect(cli.output()).toContain(
      "error LAUNCHER_NOT_FOUND: torchserve is not on PATH (backend torchserve)",
    );
  });

  it("fails as soon as the foreground launcher exits without starting a server (java missing)", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    // The default 600 s deadline: the test only ends in time if the launcher's exit ends the wait.
    const cli = runCli([], { env: s.env({}, { NO_JAVA: "1" }), cwd: s.dir });
    expect((await cli.exit).code).toBe(5);
    expect(cli.output()).toContain("java not found");
    expect(cli.output()).toContain("SERVER_EXITED_BEFORE_READY");
    expect(cli.output()).not.toMatch(/ready in \d+ ms/);
  });
});
