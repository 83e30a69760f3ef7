import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "./atomic-write.ts";

describe("writeFileAtomic", () => {
  it("replaces the file through a rename and leaves no temp file", async () => {
    const dir = await useTempDir();
    const path = join(dir, "etc", "sagemaker-mms.properties");
    await writeFileAtomic(path, "a=1\n");
    await writeFileAtomic(path, "a=2\n");
    expect(await readFile(path, "utf8")).toBe("a=2\n");
    expect(await readdir(join(dir, "etc"))).toEqual(["sagemaker-mms.properties"]);
    expect((await stat(path)).mode & 0o777).toBe(0o644);
  });
});
