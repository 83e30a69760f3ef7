import { execFile } from "node:child_process";
import { chmod, mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { waitFor } from "@sagemaker-serve/test-utils";
import { startCodeArtifactServer } from "@sagemaker-serve/test-utils/codeartifact-server";
import { startPypiIndex } from "@sagemaker-serve/test-utils/pypi-index";
import { writeWheel } from "@sagemaker-serve/test-utils/wheel";
import {
  FAKE_LAUNCHER_BIN_DIR,
  findProcesses,
} from "@sagemaker-serve/test-utils/fake-launchers/fake-launchers";
import { runCli, useServeSetup, type ServeSetup } from "./harness.ts";

const run = promisify(execFile);
const ARN = "arn:aws:codeartifact:us-east-1:012345678900:repository/my-domain/my-repo";

/** A venv that sees the system pip but installs into itself, so the machine's Python stays untouched. */
async function makeVenv(s: ServeSetup): Promise<string> {
  const venv = join(s.dir, "venv");
  await run("python3", ["-m", "venv", "--without-pip", "--system-site-packages", venv]);
  return join(venv, "bin", "python");
}

async function demoWheel(s: ServeSetup) {
  await mkdir(join(s.dir, "wheels"), { recursive: true });
  return writeWheel({
    dir: join(s.dir, "wheels"),
    name: "sm-serve-demo",
    version: "1.0",
    files: { "sm_serve_demo.py": "ANSWER = 42\n" },
  });
}

async function importAnswer(python: string): Promise<string> {
  const { stdout } = await run(python, ["-c", "import sm_serve_demo; print(sm_serve_demo.ANSWER)"]);
  return stdout.trim();
}

/** Every file under `dir`, recursively, with its text. */
async function allFiles(dir: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await stat(path)).size > 5_000_000) continue;
    out.push({ path, text: await readFile(path, "latin1") });
  }
  return out;
}

/** Every live process's argv and environment that contain `needle`, as `pid: where`. */
async function processesContaining(needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
    for (const file of ["cmdline", "environ"]) {
      const text = await readFile(`/proc/${pid}/${file}`, "latin1").catch(() => "");
      if (text.includes(needle)) hits.push(`${pid}: ${file}`);
    }
  }
  return hits;
}

/** The CLI's environment for installing through the fake CodeArtifact at `url`, with made-up AWS keys. */
function codeArtifactEnv(s: ServeSetup, python: string, url: string): Record<string, string> {
  return s.env({
    SAGEMAKER_SERVE_PYTHON: python,
    CA_REPOSITORY_ARN: ARN,
    AWS_ENDPOINT_URL_CODEARTIFACT: url,
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    AWS_CONFIG_FILE: join(s.dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(s.dir, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    // This machine's own pip configuration (its index and constraints) stays out of the test: pip now reads the
    // image's configuration under a private index, as the toolkit does.
    PIP_CONFIG_FILE: "/dev/null",
  });
}

/** A setup with requirements.txt and a fake CodeArtifact whose repository endpoint nobody serves. */
async function codeArtifactSetup() {
  const s = await useServeSetup({ flavors: ["mms"] });
  const python = await makeVenv(s);
  const codeartifact = await startCodeArtifactServer({
    repositoryEndpoint: "http://127.0.0.1:9/pypi/my-repo/",
  });
  onTestFinished(() => codeartifact.close());
  await writeFile(join(s.modelDir, "code", "requirements.txt"), "sm-serve-demo==1.0\n");
  return { s, python, codeartifact };
}

/**
 * A model whose requirements.txt asks for the demo wheel, a venv, and a local index serving it (or, with `hang`,
 * accepting connections and never answering); `env()` points pip at that index.
 */
async function localIndexSetup({ hang = false } = {}) {
  const s = await useServeSetup({ flavors: ["mms"] });
  const python = await makeVenv(s);
  const index = await startPypiIndex({ wheels: [await demoWheel(s)], hang });
  onTestFinished(() => index.close());
  await writeFile(join(s.modelDir, "code", "requirements.txt"), "sm-serve-demo==1.0\n");
  const env = (extra: Record<string, string> = {}) =>
    s.env({
      SAGEMAKER_SERVE_PYTHON: python,
      PIP_INDEX_URL: index.url,
      PIP_CONFIG_FILE: "/dev/null",
      ...extra,
    });
  return { s, python, index, env };
}

describe("serve: requirements.txt", () => {
  it("installs requirements from the local index into SAGEMAKER_SERVE_PYTHON before starting the server", async () => {
    const { s, python, env } = await localIndexSetup();
    const modelFiles = async () => (await readdir(s.baseDir, { recursive: true })).sort();
    const before = await modelFiles();
    const cli = runCli([], {
      env: env(),
      cwd: s.dir,
    });
    await cli.waitForOutput(/ready in \d+ ms/, 120_000);
    expect(cli.output()).toMatch(/INFO requirements installed \(\d+ ms\)/);
    // /opt/ml/model may be read-only: nothing is written under it.
    expect(await modelFiles()).toEqual(before);
    expect(await importAnswer(python)).toBe("42");
    const output = cli.output();
    expect(output.indexOf("requirements installed")).toBeLessThan(output.indexOf("launcher spawned"));
    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
  });

  it("skips unchanged requirements on a restart, and reinstalls with SAGEMAKER_SERVE_PIP_FORCE=true", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const python = await makeVenv(s);
    const index = await startPypiIndex({ wheels: [await demoWheel(s)] });
    onTestFinished(() => index.close());
    await writeFile(join(s.modelDir, "code", "requirements.txt"), "sm-serve-demo==1.0\n");
    const start = async (extra: Record<string, string>) => {
      const cli = runCli([], {
        env: s.env({
          SAGEMAKER_SERVE_PYTHON: python,
          PIP_INDEX_URL: index.url,
          PIP_CONFIG_FILE: "/dev/null",
          ...extra,
        }),
        cwd: s.dir,
      });
      await cli.waitForOutput(/ready in \d+ ms/, 120_000);
      cli.child.kill("SIGTERM");
      expect((await cli.exit).code).toBe(0);
      return cli.output();
    };
    expect(await start({})).toMatch(/INFO requirements installed \(\d+ ms\)/);
    const requestsAfterFirst = index.requests.length;
    expect(await start({})).toMatch(
      /INFO requirements already installed \(unchanged since the last install\)/,
    );
    expect(index.requests.length).toBe(requestsAfterFirst);
    expect(await start({ SAGEMAKER_SERVE_PIP_FORCE: "true" })).toMatch(
      /INFO requirements installed \(\d+ ms\)/,
    );
  });

  it("without SAGEMAKER_SERVE_PYTHON, installs into the Python on the launcher's #! line", async () => {
    const s = await useServeSetup({ flavors: [] });
    const python = await makeVenv(s);
    // A launcher that is a Python script, like the real console script, handing over to the fake.
    const launcher = join(s.fakes.binDir, "multi-model-server");
    await writeFile(
      launcher,
      `#!${python}\nimport os, sys\nos.execv(${JSON.stringify(process.execPath)}, [${JSON.stringify(process.execPath)}, ${JSON.stringify(join(FAKE_LAUNCHER_BIN_DIR, "multi-model-server"))}] + sys.argv[1:])\n`,
    );
    await chmod(launcher, 0o755);
    const index = await startPypiIndex({ wheels: [await demoWheel(s)] });
    onTestFinished(() => index.close());
    await writeFile(join(s.modelDir, "code", "requirements.txt"), "sm-serve-demo==1.0\n");
    const cli = runCli([], {
      env: s.env({ PIP_INDEX_URL: index.url, PIP_CONFIG_FILE: "/dev/null" }),
      cwd: s.dir,
    });
    await cli.waitForOutput(/ready in \d+ ms/, 120_000);
    expect(cli.output()).toContain(
      `installing packages from requirements.txt with ${python} (from the #! line of ${launcher})`,
    );
    expect(await importAnswer(python)).toBe("42");
    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
  });

  it("installs from the CodeArtifact index; the token appears in no output, file, argv or server environment", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const python = await makeVenv(s);
    const codeartifact = await startCodeArtifactServer({
      repositoryEndpoint: ({ repository }) => `${index.origin}/pypi/${repository}/`,
    });
    onTestFinished(() => codeartifact.close());
    const token = codeartifact.token;
    const index = await startPypiIndex({
      wheels: [await demoWheel(s)],
      basePath: "/pypi/my-repo/simple/",
      auth: { username: "aws", password: token },
      delayMs: 150,
    });
    onTestFinished(() => index.close());
    await writeFile(join(s.modelDir, "code", "requirements.txt"), "sm-serve-demo==1.0\n");
    const cli = runCli([], { env: codeArtifactEnv(s, python, codeartifact.url), cwd: s.dir });
    // Watch every process while pip runs: the token must never be in an argv or an environment.
    const seen: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        seen.push(...(await processesContaining(token)));
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    await cli.waitForOutput(/ready in \d+ ms/, 120_000).finally(() => (watching = false));
    await watcher;
    expect(seen).toEqual([]);
    expect(await importAnswer(python)).toBe("42");
    expect(index.requests.some((r) => r.credentials?.password === token && r.status === 200)).toBe(true);
    expect(cli.output()).toMatch(
      /CodeArtifact index resolved: http:\/\/127\.0\.0\.1:\d+\/pypi\/my-repo\/simple\//,
    );
    expect(await processesContaining(token)).toEqual([]);

    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
    expect(cli.output()).not.toContain(token);
    // The AWS SDK's multi-line Node 20 notice would break JSON log lines; main.ts silences it for us only.
    expect(cli.output()).not.toContain("NodeVersionSupportWarning");
    const leaks = (await allFiles(s.dir))
      .filter((file) => file.text.includes(token))
      .map((file) => file.path);
    expect(leaks).toEqual([]);
  });

  it("stops pip on SIGTERM: exits promptly, pip's processes are gone and the server never starts", async () => {
    const { s, env } = await localIndexSetup({ hang: true });
    const cli = runCli([], {
      env: env(),
      cwd: s.dir,
    });
    await cli.waitForOutput("installing packages from requirements.txt");
    await expect
      .poll(async () => (await findProcesses(s.dir)).some((p) => p.cmdline.includes("pip")), {
        timeout: 20_000,
      })
      .toBe(true);
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect(cli.output()).toContain("stopped during start-up (SIGTERM)");
    expect(await s.fakes.records()).toEqual([]);
  });

  it("takes pip's processes down with it when sagemaker-serve dies of an uncaught error mid-install", async () => {
    const { s, index, env } = await localIndexSetup({ hang: true });
    const cli = runCli([], {
      env: env(),
      cwd: s.dir,
      nodeArgs: ["--import", new URL("fixtures/node/inject-bug.mjs", import.meta.url).href],
    });
    // pip now waits on the index in silence: it would not notice its reader is gone for minutes.
    await expect.poll(() => index.requests.length, { timeout: 20_000 }).toBeGreaterThan(0);
    cli.child.kill("SIGUSR2");
    expect(await cli.exit).toEqual({ code: 1, signal: null });
    expect(cli.output()).toContain("Error: injected crash (test fixture)");
    expect(cli.output()).toContain("killed pip's process group before exiting");
    await expect
      .poll(async () => (await findProcesses(s.dir)).filter((p) => p.state !== "Z"), { timeout: 2000 })
      .toEqual([]);
    expect(await s.fakes.records()).toEqual([]);
  });

  it("fails with the toolkit's text when pip cannot install, before any server, without the token", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    const python = await makeVenv(s);
    const codeartifact = await startCodeArtifactServer({
      repositoryEndpoint: ({ repository }) => `${index.origin}/pypi/${repository}/`,
    });
    onTestFinished(() => codeartifact.close());
    const index = await startPypiIndex({
      wheels: [await demoWheel(s)],
      basePath: "/pypi/my-repo/simple/",
      auth: { username: "aws", password: codeartifact.token },
    });
    onTestFinished(() => index.close());
    await writeFile(join(s.modelDir, "code", "requirements.txt"), "sm-serve-not-on-the-index==1.0\n");
    const cli = runCli([], { env: codeArtifactEnv(s, python, codeartifact.url), cwd: s.dir });
    expect(await cli.exit).toEqual({ code: 3, signal: null });
    const output = cli.output();
    expect(output).toMatch(/ERROR .*failed to install required packages/);
    expect(output).toContain("sm-serve-not-on-the-index");
    expect(index.requests.some((r) => r.credentials?.password === codeartifact.token)).toBe(true);
    expect(output).not.toContain(codeartifact.token);
    expect(output).not.toContain("aws:");
    expect(await s.fakes.records()).toEqual([]);
    expect(output).not.toContain("launcher spawned");
  });

  it("fails with 'failed to configure pip to use codeartifact' when AWS says AccessDenied: one call, no pip, no server", async () => {
    const { s, python, codeartifact } = await codeArtifactSetup();
    codeartifact.fail("AccessDenied", { operation: "GetAuthorizationToken" });
    const cli = runCli([], { env: codeArtifactEnv(s, python, codeartifact.url), cwd: s.dir });
    expect(await cli.exit).toEqual({ code: 3, signal: null });
    expect(cli.output()).toMatch(/ERROR .*failed to configure pip to use codeartifact/);
    expect(cli.output()).not.toContain("installing packages from requirements.txt");
    expect(codeartifact.requests.filter((r) => r.operation === "GetAuthorizationToken")).toHaveLength(1);
    expect(await s.fakes.records()).toEqual([]);
  });

  it("stops during the CodeArtifact call on SIGTERM: exits 0 at once, no pip, no server", async () => {
    const { s, python, codeartifact } = await codeArtifactSetup();
    codeartifact.fail("Hang");
    const cli = runCli([], { env: codeArtifactEnv(s, python, codeartifact.url), cwd: s.dir });
    await waitFor(() => codeartifact.requests.length > 0, { description: "a CodeArtifact request" });
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
    expect(cli.output()).toContain("stopped during start-up (SIGTERM)");
    expect(cli.output()).not.toContain("installing packages from requirements.txt");
    expect(await s.fakes.records()).toEqual([]);
  });

  it("kills pip at SAGEMAKER_SERVE_PIP_TIMEOUT_SECONDS when the index never answers: exit 3, nothing left", async () => {
    const { s, index, env } = await localIndexSetup({ hang: true });
    const cli = runCli([], {
      // Long enough for pip to start and ask the index on a loaded CI machine.
      env: env({ SAGEMAKER_SERVE_PIP_TIMEOUT_SECONDS: "10" }),
      cwd: s.dir,
    });
    expect(await cli.exit).toEqual({ code: 3, signal: null });
    expect(cli.output()).toContain("PIP_TIMEOUT");
    expect(index.requests.length).toBeGreaterThan(0);
    expect((await findProcesses(s.dir)).filter((p) => p.state !== "Z")).toEqual([]);
    expect(await s.fakes.records()).toEqual([]);
  });

  it("refuses requirements lines that change the index under CodeArtifact, before pip runs", async () => {
    const { s, python, codeartifact } = await codeArtifactSetup();
    const decoy = await startPypiIndex({ wheels: [await demoWheel(s)] });
    onTestFinished(() => decoy.close());
    await writeFile(
      join(s.modelDir, "code", "requirements.txt"),
      `--extra-index-url ${decoy.url}\nsm-serve-demo==1.0\n`,
    );
    const cli = runCli([], { env: codeArtifactEnv(s, python, codeartifact.url), cwd: s.dir });
    expect(await cli.exit).toEqual({ code: 3, signal: null });
    expect(cli.output()).toContain("REQUIREMENTS_POLICY");
    expect(cli.output()).toMatch(/--extra-index-url/);
    expect(decoy.requests).toEqual([]);
    expect(await s.fakes.records()).toEqual([]);
  });

  it("says AWS credentials are unavailable (network-isolated) without any CodeArtifact call", async () => {
    const { s, python, codeartifact } = await codeArtifactSetup();
    const env = codeArtifactEnv(s, python, codeartifact.url);
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    const cli = runCli([], { env, cwd: s.dir });
    expect(await cli.exit).toEqual({ code: 3, signal: null });
    expect(cli.output()).toContain("CODEARTIFACT_NO_CREDENTIALS");
    expect(cli.output()).toMatch(/failed to configure pip to use codeartifact: no AWS credentials/);
    expect(codeartifact.requests).toEqual([]);
    expect(await s.fakes.records()).toEqual([]);
  });
});
