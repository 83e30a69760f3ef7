import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, useServeSetup } from "./harness.ts";

describe("doctor with TorchServe and no handler set: the PyTorch toolkit's handler must import", () => {
  it("fails when it does not import with the configured Python, and says ok once it does", async () => {
    const s = await useServeSetup({ flavors: ["torchserve"] });
    const pythonPath = join(s.dir, "site");
    await mkdir(pythonPath);
    const env = s.env({ SAGEMAKER_SERVE_PYTHON: "python3", PYTHONPATH: pythonPath });

    const missing = runCli(["doctor"], { env, cwd: s.dir });
    expect((await missing.exit).code).toBe(1);
    expect(missing.output()).toMatch(
      /^fail torchserve handler: sagemaker_pytorch_serving_container\.handler_service \(the PyTorch toolkit's default handler service\) does not import with python3: ModuleNotFoundError: No module named 'sagemaker_pytorch_serving_container'\n +fix: /m,
    );

    const pkg = join(pythonPath, "sagemaker_pytorch_serving_container");
    await mkdir(pkg);
    await writeFile(join(pkg, "__init__.py"), "");
    await writeFile(join(pkg, "handler_service.py"), "def handle(data, context):\n    return data\n");
    const present = runCli(["doctor"], { env, cwd: s.dir });
    await present.exit;
    expect(present.output()).toMatch(
      /^ok +torchserve handler: sagemaker_pytorch_serving_container\.handler_service imports with python3$/m,
    );

    const own = runCli(["doctor"], { env: { ...env, SAGEMAKER_SERVE_HANDLER: "my.service" }, cwd: s.dir });
    await own.exit;
    expect(own.output()).toMatch(/^ok +backend: torchserve /m);
    expect(own.output()).not.toContain("torchserve handler");
  });
});
