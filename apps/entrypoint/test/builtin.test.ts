import { cp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findProcesses } from "@sagemaker-serve/test-utils/fake-launchers/fake-launchers";
import { runCli, useServeSetup } from "./harness.ts";

const SCRIPT_MODEL = fileURLToPath(new URL("./fixtures/script-model/", import.meta.url));

describe("serve with the built-in server", () => {
  it("is what auto picks without MMS or TorchServe, serves the model, and drains on SIGTERM", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(SCRIPT_MODEL, s.modelDir, { recursive: true });
    const cli = runCli([], { env: s.env({ SAGEMAKER_MODEL_SERVER_WORKERS: "1" }), cwd: s.dir });
    await cli.waitForOutput(/ready in \d+ ms/, 60_000);
    expect(cli.output()).toContain(
      "backend builtin: auto: neither multi-model-server nor torchserve is on PATH",
    );
    expect(cli.output()).toMatch(
      /launcher spawned \(pid \d+\): \S+ \S+sagemaker-serve.js model-server --config /,
    );

    const response = await fetch(`http://127.0.0.1:${s.port}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify([1, 1, 1]),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([6]);
    expect(
      (await findProcesses(s.dir)).some((p) => p.cmdline.some((arg) => arg.endsWith("model_worker.py"))),
    ).toBe(true);

    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
  });

  it("exits non-zero long before the start-up deadline when the handler fails to load, with its error", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(SCRIPT_MODEL, s.modelDir, { recursive: true });
    await writeFile(
      join(s.modelDir, "code", "inference.py"),
      'def model_fn(model_dir):\n    raise RuntimeError("weights are corrupt (canary-load-error)")\n',
    );
    // The default deadline is 600 s: the test only ends in time if the failed load ends the start.
    const cli = runCli([], { env: s.env({ SAGEMAKER_MODEL_SERVER_WORKERS: "1" }), cwd: s.dir });
    expect(await cli.exit).toEqual({ code: 5, signal: null });
    expect(cli.output()).toContain("canary-load-error");
    expect(cli.output()).not.toMatch(/ready in \d+ ms/);
  });

  it("passes a crash of the built-in server (our child) through as 128 + N, leaving nothing", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(SCRIPT_MODEL, s.modelDir, { recursive: true });
    // SAGEMAKER_STARTUP_TIMEOUT=0 (no deadline) must reach the built-in server as a valid config too.
    const cli = runCli([], {
      env: s.env({ SAGEMAKER_MODEL_SERVER_WORKERS: "1", SAGEMAKER_STARTUP_TIMEOUT: "0" }),
      cwd: s.dir,
    });
    await cli.waitForOutput(/ready in \d+ ms/, 60_000);
    const server = Number(/server process found \(pid (\d+)/.exec(cli.output())![1]);
    process.kill(server, "SIGKILL");
    expect(await cli.exit).toEqual({ code: 137, signal: null });
    expect(cli.output()).toContain("the model server exited by itself by SIGKILL; exiting 137");
  });
});
