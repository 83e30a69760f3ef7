import { access, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir, useTempDir } from "./temp-dir.ts";

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe("temp dirs", () => {
  let fromPreviousTest = "";

  it("useTempDir gives a writable directory", async () => {
    fromPreviousTest = await useTempDir({ keep: false });
    await writeFile(join(fromPreviousTest, "f"), "x");
    expect(await exists(join(fromPreviousTest, "f"))).toBe(true);
  });

  it("useTempDir removed the previous test's directory", async () => {
    expect(fromPreviousTest).not.toBe("");
    expect(await exists(fromPreviousTest)).toBe(false);
  });

  it("makeTempDir cleanup removes the directory once and is idempotent", async () => {
    const dir = await makeTempDir({ keep: false });
    await writeFile(join(dir.path, "f"), "x");
    await dir.cleanup();
    await dir.cleanup();
    expect(await exists(dir.path)).toBe(false);
  });

  it("keep leaves the directory in place", async () => {
    const kept = await makeTempDir({ keep: true });
    await kept.cleanup();
    expect(await exists(kept.path)).toBe(true);
    await (await makeTempDir({ keep: false, parent: kept.path })).cleanup();
    const { rm } = await import("node:fs/promises");
    await rm(kept.path, { recursive: true });
  });
});
