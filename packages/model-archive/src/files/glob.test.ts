import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fnmatchToRegExp, glob, isMaybeWildcard } from "./glob.ts";

describe("extra-files wildcards", () => {
  it("isMaybeWildcard: *, ? or both [ and ]", () => {
    expect(isMaybeWildcard("a/*.json")).toBe(true);
    expect(isMaybeWildcard("a?.txt")).toBe(true);
    expect(isMaybeWildcard("a[12].txt")).toBe(true);
    expect(isMaybeWildcard("a[.txt")).toBe(false);
    expect(isMaybeWildcard("plain.txt")).toBe(false);
  });

  it("fnmatch translation", () => {
    expect(fnmatchToRegExp("*.json").test("x.json")).toBe(true);
    expect(fnmatchToRegExp("x?.txt").test("x1.txt")).toBe(true);
    expect(fnmatchToRegExp("x[!0-9].txt").test("x1.txt")).toBe(false);
    expect(fnmatchToRegExp("x[!0-9].txt").test("xa.txt")).toBe(true);
    expect(fnmatchToRegExp("a.b").test("axb")).toBe(false);
    expect(fnmatchToRegExp("[").test("[")).toBe(true);
  });

  it("glob: per component, sorted, hidden names only for dot patterns", async () => {
    const root = await useTempDir();
    await mkdir(join(root, "d1"));
    await mkdir(join(root, "d2"));
    for (const f of ["d1/b.json", "d1/a.json", "d2/c.json", "d1/.h.json", "d1/x.txt"])
      await writeFile(join(root, f), "");
    expect(await glob("d*/*.json", root)).toEqual(["d1/a.json", "d1/b.json", "d2/c.json"]);
    expect(await glob("d1/.*.json", root)).toEqual(["d1/.h.json"]);
    expect(await glob(join(root, "d2/*.json"), "/")).toEqual([join(root, "d2/c.json")]);
    expect(await glob("nope/*.json", root)).toEqual([]);
  });
});
