import { execFile } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useTempDir } from "@sagemaker-serve/test-utils";
import { runArchiveCommand } from "./archive.ts";
import { parseArchiveArgs } from "./archive-args.ts";
import { createProgressReporter } from "./archive-progress.ts";
import type { CommandIo } from "./command-io.ts";

const run = promisify(execFile);

/** Member names and modes of a zip or tar as Python's zipfile/tarfile read them. */
async function pythonList(path: string): Promise<[string, number][]> {
  const script = [
    "import json, sys, tarfile, zipfile",
    "p = sys.argv[1]",
    "if zipfile.is_zipfile(p):",
    "    z = zipfile.ZipFile(p); assert z.testzip() is None",
    "    out = [[i.filename, i.external_attr >> 16] for i in z.infolist()]",
    "else:",
    "    out = [[m.name, m.mode] for m in tarfile.open(p).getmembers()]",
    "print(json.dumps(out))",
  ].join("\n");
  const { stdout } = await run("python3", ["-c", script, path]);
  return JSON.parse(stdout) as [string, number][];
}

function io(cwd: string, isTTY = false): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    cwd,
    env: {},
    signal: new AbortController().signal,
    isTTY,
  };
}

async function model(root: string): Promise<void> {
  await mkdir(join(root, "model/dir"), { recursive: true });
  await writeFile(join(root, "model/service.py"), "def handle(d, c):\n    return d\n");
  await writeFile(join(root, "model/dir/1.py"), "print(1)\n");
}

describe("sagemaker-serve archive (model-archiver flags)", () => {
  it("archives with model-archiver's flags; stdout stays empty", async () => {
    const root = await useTempDir();
    await model(root);
    const cli = io(root);
    const code = await runArchiveCommand(
      ["--model-name", "m", "--model-path", "model", "--handler", "service:handle"],
      cli,
    );
    expect(code).toBe(0);
    expect(cli.out).toEqual([]);
    expect((await pythonList(join(root, "m.mar"))).map(([name]) => name)).toEqual([
      "service.py",
      "dir/1.py",
      "MAR-INF/MANIFEST.json",
    ]);
    const tgz = io(root);
    const args = [
      "--model-name",
      "m",
      "--model-path",
      "model",
      "--handler",
      "h",
      "--archive-format",
      "tgz",
      "--export-path",
      root,
    ];
    expect(await runArchiveCommand(args, tgz)).toBe(0);
    expect((await pythonList(join(root, "m.tar.gz")))[0]).toEqual(["m/service.py", 0o644]);
  });

  it("usage errors exit 2 with argparse's messages", async () => {
    const root = await useTempDir();
    const cases: [string[], string][] = [
      [
        [],
        "model-archiver: error: the following arguments are required: --model-name, --model-path, --handler",
      ],
      [
        ["--model-name", "m", "--model-path", "x", "--handler", "h", "--archive-format", "zip-store"],
        "model-archiver: error: argument --archive-format: invalid choice: 'zip-store' (choose from 'tgz', 'no-archive', 'default')",
      ],
      [
        ["--model-name", "m", "--model-path", "x", "--handler", "h", "--bogus"],
        "model-archiver: error: unrecognized arguments: --bogus",
      ],
      [["--model-name"], "model-archiver: error: argument --model-name: expected one argument"],
      [
        ["--flavor", "tf"],
        "model-archiver: error: argument --flavor: invalid choice: 'tf' (choose from 'mms', 'torchserve')",
      ],
      [
        ["--flavor", "torchserve", "--model-name", "m", "--handler", "h"],
        "torch-model-archiver: error: the following arguments are required: -v/--version",
      ],
    ];
    for (const [args, message] of cases) {
      const cli = io(root);
      expect(await runArchiveCommand(args, cli), args.join(" ")).toBe(2);
      const text = cli.err.join("");
      expect(text).toMatch(/^usage: (torch-)?model-archiver \[-h\] /);
      expect(text.trimEnd().split("\n").at(-1)).toBe(message);
    }
    expect(await readdir(root)).toEqual([]);
  });

  it("validation errors exit 1 with `ERROR - <message>`; --force overwrites with a WARNING", async () => {
    const root = await useTempDir();
    await model(root);
    const bad = io(root);
    expect(await runArchiveCommand(["--model-name=-m", "--model-path", "model", "--handler", "h"], bad)).toBe(
      1,
    );
    expect(bad.err.join("")).toMatch(
      /^ERROR - Model name contains special characters\.\nThe allowed regular expression/,
    );
    const args = ["--model-name", "m", "--model-path", "model", "--handler", "h"];
    expect(await runArchiveCommand(args, io(root))).toBe(0);
    const again = io(root);
    expect(await runArchiveCommand(args, again)).toBe(1);
    expect(again.err[0]).toBe(
      `ERROR - ${join(root, "m.mar")} already exists.\nPlease specify --force/-f option to overwrite the model archive output file.\nSee -h/--help for more details.\nhint: pass --force/-f to replace it\n`,
    );
    const forced = io(root);
    expect(await runArchiveCommand([...args, "-f"], forced)).toBe(0);
    expect(forced.err).toEqual([
      `WARNING - Overwriting ${join(root, "m.mar")} ...\n`,
      `archive: wrote ${join(root, "m.mar")}\n`,
    ]);
    const notDir = io(root);
    expect(await runArchiveCommand([...args, "--model-path", "nope", "-f"], notDir)).toBe(1);
    expect(notDir.err[0]).toMatch(/^ERROR - Given model-path nope is not a valid directory/);
  });

  it("--help prints to stdout and exits 0", async () => {
    const cli = io("/");
    expect(await runArchiveCommand(["--flavor", "torchserve", "-h"], cli)).toBe(0);
    expect(cli.out.join("")).toContain("-v, --version");
    expect(cli.out.join("")).toContain("-c, --config-file");
  });
});

describe("sagemaker-serve archive --flavor torchserve (torch-model-archiver flags)", () => {
  it("archives named files, zip-store and no-archive, with -v, -r and -c", async () => {
    const root = await useTempDir();
    await writeFile(join(root, "handler.py"), "x");
    await writeFile(join(root, "weights.pt"), Buffer.alloc(2000, 1));
    await writeFile(join(root, "requirements.txt"), "numpy\n");
    await writeFile(join(root, "cfg.yaml"), "a: 1\n");
    const base = [
      "--flavor",
      "torchserve",
      "--model-name",
      "t",
      "--handler",
      "handler",
      "--serialized-file",
      "weights.pt",
      "-v",
      "2.0",
      "-r",
      "requirements.txt",
      "-c",
      "cfg.yaml",
      "--export-path",
      "out",
    ];
    const cli = io(root);
    expect(await runArchiveCommand([...base, "--archive-format", "zip-store"], cli)).toBe(0);
    expect(cli.err).toEqual([
      "WARNING - Export directory (out) does not exist. Creating...\n",
      `archive: wrote ${join(root, "out/t.mar")}\n`,
    ]);
    expect((await pythonList(join(root, "out/t.mar"))).map(([n]) => n)).toEqual([
      "cfg.yaml",
      "handler.py",
      "requirements.txt",
      "weights.pt",
      "MAR-INF/MANIFEST.json",
    ]);
    const dirCli = io(root);
    expect(
      await runArchiveCommand([...base, "--archive-format", "no-archive", "--link-mode", "copy"], dirCli),
    ).toBe(0);
    expect(dirCli.err.at(-1)).toBe(`archive: wrote ${join(root, "out/t")}\n`);
    expect((await readdir(join(root, "out/t"))).sort()).toEqual([
      "MAR-INF",
      "cfg.yaml",
      "handler.py",
      "requirements.txt",
      "weights.pt",
    ]);
    const missing = io(root);
    expect(await runArchiveCommand([...base, "--extra-files", "nope.txt", "-f"], missing)).toBe(1);
    expect(missing.err.join("")).toContain("ERROR - File does not exist: nope.txt");
  });
});

describe("archive progress", () => {
  it("stays silent for quick archives, then draws a bar on a TTY", () => {
    let t = 0;
    const out: string[] = [];
    const report = createProgressReporter({ write: (s) => out.push(s), isTTY: true, now: () => t });
    const p = {
      phase: "write" as const,
      filesDone: 0,
      filesTotal: 2,
      bytesDone: 0,
      bytesTotal: 2 * 1024 ** 3,
    };
    report(p);
    t = 1500;
    report({ ...p, bytesDone: 1024 ** 3 });
    t = 1550;
    report({ ...p, bytesDone: 1024 ** 3 + 1 });
    t = 3000;
    report({ ...p, phase: "done", filesDone: 2, bytesDone: 2 * 1024 ** 3 });
    expect(out).toEqual([
      `\r[${"#".repeat(15)}${".".repeat(15)}] 50% 1.0 GiB of 2.0 GiB, 0/2 files\u001b[K`,
      `\r[${"#".repeat(30)}] 100% 2.0 GiB of 2.0 GiB, 2/2 files\u001b[K\n`,
    ]);
  });

  it("interrupt() ends a half-drawn bar so an error starts on its own line", () => {
    let t = 0;
    const out: string[] = [];
    const report = createProgressReporter({ write: (s) => out.push(s), isTTY: true, now: () => t });
    report.interrupt();
    t = 2000;
    report({ phase: "write", filesDone: 0, filesTotal: 1, bytesDone: 1, bytesTotal: 2 });
    report.interrupt();
    report.interrupt();
    expect(out.slice(1)).toEqual(["\n"]);
  });

  it("prints a line per interval without a TTY, and a final line", () => {
    let t = 0;
    const out: string[] = [];
    const report = createProgressReporter({
      write: (s) => out.push(s),
      isTTY: false,
      now: () => t,
      intervalMs: 10_000,
    });
    const p = {
      phase: "write" as const,
      filesDone: 0,
      filesTotal: 1,
      bytesDone: 0,
      bytesTotal: 100,
      file: "w.bin",
    };
    t = 2000;
    report({ ...p, bytesDone: 10 });
    t = 5000;
    report({ ...p, bytesDone: 20 });
    t = 12_500;
    report({ ...p, bytesDone: 60 });
    t = 13_000;
    report({ ...p, phase: "done", filesDone: 1, bytesDone: 100 });
    expect(out).toEqual([
      "archive: 10% 10 B of 100 B, 0/1 files (w.bin)\n",
      "archive: 60% 60 B of 100 B, 0/1 files (w.bin)\n",
      "archive: 100% 100 B of 100 B, 1/1 files\n",
    ]);
  });
});

describe("parseArchiveArgs (ModelArchiverConfig.from_args equals the options built directly)", () => {
  it("maps torch-model-archiver flags onto createArchive options", () => {
    const parsed = parseArchiveArgs(
      [
        "--flavor=torchserve",
        "--model-name",
        "t",
        "--handler",
        "h.py",
        "--serialized-file",
        "w.pt",
        "--model-file",
        "m.py",
        "--extra-files",
        "a,b",
        "-v",
        "1.0",
        "-r",
        "req.txt",
        "-c",
        "cfg.yaml",
        "-f",
        "--archive-format",
        "tgz",
        "--runtime",
        "python3",
        "--compression",
        "store",
      ],
      "/work",
    );
    expect(parsed).toEqual({
      kind: "run",
      flavor: "torchserve",
      progress: true,
      options: {
        flavor: "torchserve",
        cwd: "/work",
        modelName: "t",
        handler: "h.py",
        runtime: "python3",
        exportPath: "/work",
        archiveFormat: "tgz",
        force: true,
        compression: "store",
        linkMode: "auto",
        serializedFile: "w.pt",
        modelFile: "m.py",
        extraFiles: "a,b",
        version: "1.0",
        requirementsFile: "req.txt",
        configFile: "cfg.yaml",
      },
    });
  });

  it("maps model-archiver flags (-c is --convert there)", () => {
    const parsed = parseArchiveArgs(
      ["--model-name", "m", "--model-path", "p", "--handler", "", "-c", "--no-progress"],
      "/w",
    );
    expect(parsed).toMatchObject({
      kind: "run",
      flavor: "mms",
      progress: false,
      options: { modelPath: "p", handler: "", convert: true, runtime: "python" },
    });
  });
});
