import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { choosePython, pythonFromShebang } from "./python-for-launcher.ts";

describe("pythonFromShebang", () => {
  it.each([
    ["#!/usr/bin/python3", "/usr/bin/python3"],
    ["#!/opt/conda/bin/python3.10 -u", "/opt/conda/bin/python3.10"],
    ["#!/usr/bin/env python3", "python3"],
    ["#!/usr/bin/env -S python3 -E", "python3"],
    ["#! /usr/local/bin/python", "/usr/local/bin/python"],
  ])("reads %s", (line, python) => {
    expect(pythonFromShebang(line)).toBe(python);
  });

  it.each(["#!/usr/bin/env node", "#!/bin/sh", "import sys", ""])("ignores %j", (line) => {
    expect(pythonFromShebang(line)).toBeUndefined();
  });
});

describe("choosePython", () => {
  it("prefers SAGEMAKER_SERVE_PYTHON, then the launcher's #! interpreter, then python3", async () => {
    const dir = await useTempDir();
    const launcher = join(dir, "multi-model-server");
    await writeFile(launcher, "#!/opt/venv/bin/python3.9\nimport sys\n");
    await chmod(launcher, 0o755);
    expect(await choosePython({ explicit: "/x/python", launcherPath: launcher })).toEqual({
      python: "/x/python",
      source: "SAGEMAKER_SERVE_PYTHON",
    });
    expect((await choosePython({ explicit: undefined, launcherPath: launcher })).python).toBe(
      "/opt/venv/bin/python3.9",
    );
    expect((await choosePython({ explicit: undefined, launcherPath: undefined })).python).toBe("python3");
    expect((await choosePython({ explicit: undefined, launcherPath: join(dir, "missing") })).python).toBe(
      "python3",
    );
  });
});
