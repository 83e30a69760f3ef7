import { describe, expect, it } from "vitest";
import { directoryFilter, fileFilter } from "./file-filter.ts";

describe("TestFileFilter / TestDirectoryFilter", () => {
  it("file filter: excluded names, .pyc, .DS_Store, .mar and MANIFEST.json are dropped; others kept", () => {
    expect(fileFilter("abc.onnx", new Set(["abc.onnx"]))).toBe(false);
    expect(fileFilter("abc.pyc")).toBe(false);
    expect(fileFilter(".DS_Store")).toBe(false);
    expect(fileFilter("old.mar")).toBe(false);
    expect(fileFilter("MANIFEST.json")).toBe(false);
    expect(fileFilter("abc.mxnet")).toBe(true);
    expect(fileFilter(".hiddenfile")).toBe(true);
  });

  it("directory filter: __MACOSX, __pycache__ and dot dirs are pruned", () => {
    expect(directoryFilter("__MACOSX")).toBe(false);
    expect(directoryFilter("__pycache__")).toBe(false);
    expect(directoryFilter(".gitignore")).toBe(false);
    expect(directoryFilter("my-model")).toBe(true);
  });
});
