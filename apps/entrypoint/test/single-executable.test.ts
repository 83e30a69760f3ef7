import { access, chmod, copyFile, cp, mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findProcesses } from "@sagemaker-serve/test-utils/fake-launchers/fake-launchers";
import { expectEchoModelAnswers, runCli, useServeSetup, type ServeSetup } from "./harness.ts";

/** dist/sagemaker-serve: Node's SEA with the CLI and its files, made by the build before these tests (turbo.json). */
const SINGLE_EXECUTABLE = fileURLToPath(new URL("../dist/sagemaker-serve", import.meta.url));
const ECHO_MODEL = fileURLToPath(new URL("../../../examples/echo/model/", import.meta.url));

/** Copies the single executable alone into a new, otherwise empty directory of the setup. */
async function copyAlone(s: ServeSetup): Promise<string> {
  await access(SINGLE_EXECUTABLE).catch(() => {
    throw new Error(
      `${SINGLE_EXECUTABLE} is missing: run \`pnpm --filter @sagemaker-serve/entrypoint build\` first`,
    );
  });
  const dir = join(s.dir, "alone");
  await mkdir(dir);
  const copy = join(dir, "sagemaker-serve");
  await copyFile(SINGLE_EXECUTABLE, copy);
  await chmod(copy, 0o755);
  expect(await readdir(dir)).toEqual(["sagemaker-serve"]);
  return copy;
}

/** The private directories the executable unpacks its files into (under TMPDIR = the setup's dir). */
async function unpackedDirs(s: ServeSetup): Promise<string[]> {
  return (await readdir(s.dir)).filter((name) => name.startsWith("sagemaker-serve-"));
}

describe("the single executable, copied alone into an empty directory", () => {
  it("serves the echo model with the built-in server, runs itself as the server, and leaves nothing", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(ECHO_MODEL, s.modelDir, { recursive: true });
    const copy = await copyAlone(s);
    const cli = runCli(["serve"], {
      env: s.env({ SAGEMAKER_MODEL_SERVER_WORKERS: "1" }),
      cwd: s.dir,
      executable: copy,
    });
    await cli.waitForOutput(/ready in \d+ ms/, 60_000);
    expect(cli.output()).toContain(`launcher spawned (pid `);
    expect(cli.output()).toContain(`): ${copy} model-server --config ${s.configPath}`);

    await expectEchoModelAnswers(s.port);

    // Each process of the executable (serve, and the server it runs) unpacks its files into its own private
    // directory under TMPDIR; the workers run the Python files from the server's.
    const unpacked = await unpackedDirs(s);
    expect(unpacked).toHaveLength(2);
    const workers = (await findProcesses(s.dir)).filter((p) =>
      p.cmdline.some((arg) => arg.endsWith("model_worker.py")),
    );
    expect(workers).toHaveLength(1);
    expect(unpacked.map((name) => join(s.dir, name, "python", "model_worker.py"))).toContain(
      workers[0]!.cmdline.find((arg) => arg.endsWith("model_worker.py")),
    );

    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect(await unpackedDirs(s)).toEqual([]);
  });

  it("doctor reports everything in place", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(ECHO_MODEL, s.modelDir, { recursive: true });
    const copy = await copyAlone(s);
    const doctor = runCli(["doctor"], { env: s.env(), cwd: s.dir, executable: copy });
    expect(await doctor.exit).toEqual({ code: 0, signal: null });
    expect(doctor.output()).toMatch(/^ok {3}backend: builtin /m);
    expect(doctor.output()).not.toMatch(/^(warn|fail) /m);
    expect(doctor.output()).toMatch(/everything needed is in place\n$/);
    expect(await unpackedDirs(s)).toEqual([]);
  });

  it("runs --version, help, config and archive", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(ECHO_MODEL, s.modelDir, { recursive: true });
    const copy = await copyAlone(s);
    const { version } = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    const versionRun = runCli(["--version"], { env: s.env(), cwd: s.dir, executable: copy });
    expect(await versionRun.exit).toEqual({ code: 0, signal: null });
    expect(versionRun.output()).toBe(`${version}\n`);

    const help = runCli(["--help"], { env: s.env(), cwd: s.dir, executable: copy });
    expect(await help.exit).toEqual({ code: 0, signal: null });
    expect(help.output()).toMatch(/^usage: sagemaker-serve /);

    const config = runCli(["config", "--format", "json"], { env: s.env(), cwd: s.dir, executable: copy });
    expect(await config.exit).toEqual({ code: 0, signal: null });
    expect(JSON.parse(config.output())).toMatchObject({
      backend: "builtin",
      command: [copy, "model-server", "--config", s.configPath],
    });

    const archive = runCli(
      [
        "archive",
        "--model-name",
        "echo",
        "--model-path",
        s.modelDir,
        "--handler",
        "inference.py",
        "--export-path",
        s.dir,
        "--no-progress",
      ],
      { env: s.env(), cwd: s.dir, executable: copy },
    );
    expect(await archive.exit).toEqual({ code: 0, signal: null });
    expect((await readFile(join(s.dir, "echo.mar"))).subarray(0, 2).toString("latin1")).toBe("PK");
    expect(await unpackedDirs(s)).toEqual([]);
  });
});
