import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { torchServeHandlerChecks } from "./torchserve-handler-check.ts";

const signal = new AbortController().signal;
const unset = { handlerServiceSet: false };

/** A PYTHONPATH dir holding a `sagemaker_pytorch_serving_container` package whose handler_service has `body`. */
async function fakeToolkit(body: string): Promise<string> {
  const dir = await useTempDir();
  const pkg = join(dir, "sagemaker_pytorch_serving_container");
  await mkdir(pkg);
  await writeFile(join(pkg, "__init__.py"), "");
  await writeFile(join(pkg, "handler_service.py"), body);
  return dir;
}

const check = (backend: "mms" | "torchserve" | "builtin", env: Record<string, string>, settings = unset) =>
  torchServeHandlerChecks({
    settings,
    backend,
    python: "python3",
    env: { PATH: process.env.PATH, ...env },
    signal,
  });

describe("torchServeHandlerChecks (real python3)", () => {
  it("fails, naming the module and Python's error, when the PyTorch toolkit is not installed", async () => {
    const [result] = await check("torchserve", { PYTHONPATH: await useTempDir() });
    expect(result).toMatchObject({ name: "torchserve handler", status: "fail" });
    expect(result!.detail).toBe(
      "sagemaker_pytorch_serving_container.handler_service (the PyTorch toolkit's default handler service) does not " +
        "import with python3: ModuleNotFoundError: No module named 'sagemaker_pytorch_serving_container'",
    );
    expect(result!.fix).toContain("SAGEMAKER_SERVE_HANDLER");
  });

  it("fails when the module is there but its own imports are not (torch missing)", async () => {
    const dir = await fakeToolkit("import torch_not_installed_here\n");
    const [result] = await check("torchserve", { PYTHONPATH: dir });
    expect(result!.status).toBe("fail");
    expect(result!.detail).toMatch(/No module named 'torch_not_installed_here'$/);
  });

  it("is ok when the module imports", async () => {
    const dir = await fakeToolkit("def handle(data, context):\n    return data\n");
    expect(await check("torchserve", { PYTHONPATH: dir })).toEqual([
      {
        name: "torchserve handler",
        status: "ok",
        detail: "sagemaker_pytorch_serving_container.handler_service imports with python3",
      },
    ]);
  });

  it("does not apply to MMS, the built-in server, or a handler that is set", async () => {
    const empty = { PYTHONPATH: await useTempDir() };
    expect(await check("mms", empty)).toEqual([]);
    expect(await check("builtin", empty)).toEqual([]);
    expect(await check("torchserve", empty, { handlerServiceSet: true })).toEqual([]);
  });
});
