import { describe, expect, it } from "vitest";
import { compareWalkOrder } from "./walk-order.ts";

describe("compareWalkOrder", () => {
  it("orders like os.walk: files of a directory before its sub-directories", () => {
    const names = ["z.txt", "a/b/c.txt", "a/z.txt", "b.txt", "a/a/x", "MAR-INF/x"];
    expect(names.sort(compareWalkOrder)).toEqual([
      "b.txt",
      "z.txt",
      "MAR-INF/x",
      "a/z.txt",
      "a/a/x",
      "a/b/c.txt",
    ]);
  });
});
