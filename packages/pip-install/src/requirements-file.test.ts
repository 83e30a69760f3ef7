import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { inspectLine, logicalLines, readRequirements } from "./requirements-file.ts";

describe("logicalLines", () => {
  it("joins continuations, drops comments and blank lines, and numbers lines as pip does", () => {
    expect(
      logicalLines("# header\n\nnumpy==1.0 \\\n  --hash=sha256:abc\nrequests # web\r\n#x\ntorch\n"),
    ).toEqual([
      { line: 3, text: "numpy==1.0   --hash=sha256:abc" },
      { line: 5, text: "requests" },
      { line: 7, text: "torch" },
    ]);
  });

  it("keeps a # that is not after white space (URL fragments)", () => {
    expect(logicalLines("pkg @ https://h/p.whl#sha256=1\n")).toEqual([
      { line: 1, text: "pkg @ https://h/p.whl#sha256=1" },
    ]);
  });
});

describe("inspectLine", () => {
  const dir = "/models/code";
  it("refuses every line that changes where packages come from", () => {
    const refused: Array<[string, string]> = [
      ["--index-url https://evil/simple/", "--index-url"],
      ["--index-url=https://evil/simple/", "--index-url"],
      ["-i https://evil/simple/", "--index-url"],
      ["-ihttps://evil/simple/", "--index-url"],
      ["--index https://evil/simple/", "--index-url"],
      ["--extra-index-url https://evil/simple/", "--extra-index-url"],
      ["--trusted-host evil.example", "--trusted-host"],
      ["--find-links /wheels", "--find-links"],
      ["-f https://evil/wheels/", "--find-links"],
      ["--no-index", "--no-index"],
      ["-e git+https://github.com/x/y.git#egg=y", "-e from a URL"],
      ["--editable=git+ssh://git@github.com/x/y.git", "--editable from a URL"],
      ["-r https://evil/reqs.txt", "-r from a URL"],
      ["pkg @ https://evil/pkg-1.0-py3-none-any.whl", "direct URL requirement"],
      ["https://evil/pkg-1.0-py3-none-any.whl", "direct URL requirement"],
      ["${OPTIONS}", "environment variable at the start of a line"],
    ];
    for (const [line, option] of refused) expect(inspectLine(line, dir), line).toEqual({ violation: option });
  });

  it("allows requirements, hashes, binary-only and local paths", () => {
    const allowed = [
      "numpy==1.26.4",
      "torch>=2.0 ; python_version >= '3.9'",
      "pkg==1.0 --hash=sha256:0123",
      "--only-binary=:all:",
      "--require-hashes",
      "--pre",
      "-e ./local-package",
      "./wheels/pkg-1.0-py3-none-any.whl",
    ];
    for (const line of allowed) expect(inspectLine(line, dir), line).toEqual({});
  });

  it("resolves included files against the including file's directory", () => {
    expect(inspectLine("-r more.txt", dir)).toEqual({ include: "/models/code/more.txt" });
    expect(inspectLine("--constraint=../c.txt", dir)).toEqual({ include: "/models/c.txt" });
    expect(inspectLine("-cpins.txt", dir)).toEqual({ include: "/models/code/pins.txt" });
  });
});

describe("readRequirements", () => {
  it("reads included files once each, following cycles safely, and reports violations where they are", async () => {
    const dir = await useTempDir();
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "requirements.txt"), "a==1\n-r sub/more.txt\n");
    await writeFile(
      join(dir, "sub", "more.txt"),
      "b==2\n\n--no-index\n-r ../requirements.txt\n-c missing.txt\n",
    );
    const result = await readRequirements(join(dir, "requirements.txt"));
    expect(result.files.map((f) => f.path)).toEqual([
      join(dir, "requirements.txt"),
      join(dir, "sub", "more.txt"),
    ]);
    expect(result.violations).toEqual([
      { file: join(dir, "sub", "more.txt"), line: 3, option: "--no-index" },
    ]);
  });

  it("gives no files for an absent file and throws for a directory", async () => {
    const dir = await useTempDir();
    expect(await readRequirements(join(dir, "requirements.txt"))).toEqual({ files: [], violations: [] });
    await expect(readRequirements(dir)).rejects.toMatchObject({ code: "EISDIR" });
  });
});
