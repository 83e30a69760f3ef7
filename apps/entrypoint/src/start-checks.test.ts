import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { checkConfigPath, checkWorkerFiles } from "./start-checks.ts";

describe("checkConfigPath", () => {
  it("accepts a file path whose missing directories can be created, or an existing file", async () => {
    const dir = await useTempDir();
    expect(await checkConfigPath(join(dir, "a", "b", "c.properties"), "X")).toBeUndefined();
    await writeFile(join(dir, "c.properties"), "");
    expect(await checkConfigPath(join(dir, "c.properties"), "X")).toBeUndefined();
  });

  it("refuses a directory, a trailing slash and a path through a file, naming the variable", async () => {
    const dir = await useTempDir();
    await writeFile(join(dir, "file"), "");
    for (const [path, why] of [
      [dir, "it is a directory"],
      [`${dir}/new/`, "it ends with /"],
      [join(dir, "file", "c.properties"), `${join(dir, "file")} is not a directory`],
    ]) {
      const error = await checkConfigPath(path!, "SAGEMAKER_SERVE_CONFIG_PATH");
      expect(error?.code).toBe("CONFIG_PATH_INVALID");
      expect(error?.message).toBe(
        `SAGEMAKER_SERVE_CONFIG_PATH must name a file, got ${JSON.stringify(path)}: ${why}`,
      );
    }
  });
});

describe("checkWorkerFiles", () => {
  it("names the first missing worker file", async () => {
    const dir = await useTempDir();
    await writeFile(join(dir, "model_worker.py"), "");
    const error = await checkWorkerFiles(dir);
    expect(error?.code).toBe("WORKER_FILES_MISSING");
    expect(error?.message).toContain(join(dir, "sagemaker_serve_worker", "__init__.py"));
  });
});
