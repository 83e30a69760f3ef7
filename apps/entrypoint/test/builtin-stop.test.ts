import { cp } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findProcesses } from "@sagemaker-serve/test-utils/fake-launchers/fake-launchers";
import { runCli, useServeSetup } from "./harness.ts";

const SLOW_MODEL = fileURLToPath(new URL("./fixtures/slow-model/", import.meta.url));

describe("serve with the built-in server: stopping with a slow handler", () => {
  it("answers the request still running at the end of the drain with 503 and exits 0 before the CLI's SIGKILL", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(SLOW_MODEL, s.modelDir, { recursive: true });
    const cli = runCli([], {
      env: s.env({ SAGEMAKER_MODEL_SERVER_WORKERS: "1", SAGEMAKER_SERVE_STOP_GRACE_SECONDS: "4" }),
      cwd: s.dir,
    });
    await cli.waitForOutput(/ready in \d+ ms/, 60_000);
    const slow = fetch(`http://127.0.0.1:${s.port}/invocations`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "300",
    });
    await cli.waitForOutput(/sleeping 300/, 30_000);
    cli.child.kill("SIGTERM");
    const response = await slow;
    expect(response.status).toBe(503);
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect(cli.output()).not.toContain("SIGKILL");
    expect(await findProcesses(s.dir)).toEqual([]);
  });
});
