import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SERVE_ENV_VARIABLES } from "@sagemaker-serve/env-config";
import { describe, expect, it } from "vitest";
import { runCli, useServeSetup } from "./harness.ts";

async function outcome(cli: ReturnType<typeof runCli>): Promise<{ code: number | null; output: string }> {
  const { code } = await cli.exit;
  return { code, output: cli.output() };
}

describe("first-run traps", () => {
  it("refuses SAGEMAKER_SERVE_CONFIG_PATH naming a directory, in serve and doctor, writing nothing", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const etc = join(s.dir, "etc");
    await mkdir(etc);
    for (const [path, why] of [
      [etc, "it is a directory"],
      [`${etc}/`, "it ends with /"],
      [join(s.modelDir, "code", "x.properties", "y"), "is not a directory"],
    ] as const) {
      if (why === "is not a directory") await writeFile(join(s.modelDir, "code", "x.properties"), "");
      const env = s.env({ SAGEMAKER_SERVE_CONFIG_PATH: path });
      const serve = await outcome(runCli(["serve"], { env, cwd: s.dir }));
      expect(serve.code, serve.output).toBe(2);
      expect(serve.output).toContain(
        `error CONFIG_PATH_INVALID: SAGEMAKER_SERVE_CONFIG_PATH must name a file, got ${JSON.stringify(path)}: `,
      );
      expect(serve.output).toContain(why);
      expect(serve.output).toMatch(
        /\nhint: set SAGEMAKER_SERVE_CONFIG_PATH to a file path in a writable directory/,
      );
      expect(serve.output).not.toMatch(/EISDIR|ENOTDIR|requirements|config written/);
      const doctor = await outcome(
        runCli(["doctor"], { env: { ...env, SAGEMAKER_SERVE_PYTHON: "python3" }, cwd: s.dir }),
      );
      expect(doctor.code).toBe(1);
      expect(doctor.output).toMatch(/^fail +config: CONFIG_PATH_INVALID: /m);
    }
    expect(await readdir(etc)).toEqual([]);
    expect(await s.fakes.records()).toEqual([]);
  });

  it("says which variable an option stands for, and suggests the option or command a typo meant", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const env = s.env();
    const cases: Array<[string[], string]> = [
      [
        ["serve", "--port", "9000"],
        "sagemaker-serve serve: unknown option '--port': settings come from the environment, set SAGEMAKER_BIND_TO_PORT=9000 instead; `sagemaker-serve help env` lists every variable\n",
      ],
      [
        ["--workers=2"],
        "sagemaker-serve: unknown option '--workers': settings come from the environment, set SAGEMAKER_MODEL_SERVER_WORKERS=2 instead",
      ],
      [["doctor", "--stop-grace-seconds", "5"], "set SAGEMAKER_SERVE_STOP_GRACE_SECONDS=5 instead"],
      [
        ["serve", "--model-dir", "/models/x"],
        "set SAGEMAKER_BASE_DIR instead (the model directory is SAGEMAKER_BASE_DIR/model, or /models with SAGEMAKER_MULTI_MODEL=true)",
      ],
      [
        ["serve", "--backnd", "builtin"],
        "sagemaker-serve serve: unknown option '--backnd'; did you mean '--backend'?\n",
      ],
      [["doctr"], 'sagemaker-serve: unknown command "doctr"; did you mean "doctor"? commands: '],
    ];
    for (const [args, expected] of cases) {
      const result = await outcome(runCli(args, { env, cwd: s.dir }));
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.output).toContain(expected);
    }
    expect(await s.fakes.records()).toEqual([]);
  });

  it("help env lists every variable with its default and format; ENV_INVALID points at it", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const help = await outcome(runCli(["help", "env"], { env: s.env(), cwd: s.dir }));
    expect(help.code).toBe(0);
    for (const variable of SERVE_ENV_VARIABLES) {
      expect(help.output).toContain(
        `\n${variable.name}\n    default: ${variable.defaultValue.replaceAll("`", "")}\n    format:  ${variable.parsing.replaceAll("`", "")}\n`,
      );
    }
    expect(help.output).not.toContain("`");
    const bad = await outcome(
      runCli(["serve"], { env: s.env({ SAGEMAKER_BIND_TO_PORT: "http" }), cwd: s.dir }),
    );
    expect(bad.code).toBe(2);
    expect(bad.output).toContain(
      "\nhint: fix or unset the variables listed; `sagemaker-serve help env` lists",
    );
    expect(bad.output).not.toMatch(/README/i);
    const serveHelp = await outcome(runCli(["help", "serve"], { env: s.env(), cwd: s.dir }));
    expect(serveHelp.code).toBe(0);
    expect(serveHelp.output).toMatch(/^usage: sagemaker-serve serve /);
    const main = await outcome(runCli(["--help"], { env: s.env(), cwd: s.dir }));
    expect(main.output).toContain("`sagemaker-serve help env`");
  });

  it("archive ends with one line naming what it wrote", async () => {
    const s = await useServeSetup({ flavors: [] });
    await mkdir(join(s.dir, "src"));
    await mkdir(join(s.dir, "out"));
    await writeFile(join(s.dir, "src", "handler.py"), "def handle(data, context):\n    return data\n");
    const args = [
      "archive",
      "--model-name",
      "m",
      "--model-path",
      "src",
      "--handler",
      "handler:handle",
      "--export-path",
      "out",
    ];
    const mar = await outcome(runCli(args, { env: s.env(), cwd: s.dir }));
    expect(mar.code, mar.output).toBe(0);
    expect(mar.output.trimEnd().split("\n").at(-1)).toBe(`archive: wrote ${join(s.dir, "out", "m.mar")}`);
    const dir = await outcome(
      runCli([...args, "--archive-format", "no-archive", "--model-name", "d"], { env: s.env(), cwd: s.dir }),
    );
    expect(dir.code, dir.output).toBe(0);
    expect(dir.output.trimEnd().split("\n").at(-1)).toBe(`archive: wrote ${join(s.dir, "out", "d")}`);
  });
});
