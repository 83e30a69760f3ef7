import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, cp, mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { BUNDLE, runCli, useServeSetup, type ServeSetup } from "./harness.ts";

const SCRIPT_MODEL = fileURLToPath(new URL("./fixtures/script-model/", import.meta.url));
const AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

interface Outcome {
  code: number | null;
  output: string;
}

async function run(
  s: ServeSetup,
  args: string[],
  extra: Record<string, string>,
  wrapper: string[] = [],
): Promise<Outcome> {
  const cli = runCli(args, {
    env: s.env({ SAGEMAKER_MODEL_SERVER_WORKERS: "1", ...extra }),
    cwd: s.dir,
    wrapper,
  });
  const { code } = await cli.exit;
  return { code, output: cli.output() };
}

/** Runs doctor, then serve, with the same environment; both must refuse, naming the same problem. */
async function doctorThenServe(
  s: ServeSetup,
  extra: Record<string, string>,
  wrapper: string[] = [],
): Promise<{ doctor: Outcome; serve: Outcome }> {
  const doctor = await run(s, ["doctor"], extra, wrapper);
  expect(doctor.code, doctor.output).toBe(1);
  expect(doctor.output).not.toContain("everything needed is in place");
  expect(doctor.output).toMatch(/^1 problem\(s\) to fix$/m);
  const serve = await run(s, ["serve"], extra, wrapper);
  expect(serve.output).not.toMatch(/ready in \d+ ms/);
  return { doctor, serve };
}

/** Runs a copy of the bundle (`dir/<bundle name>`) directly: for a dist/ directory that lacks a file. */
async function runBundleCopy(bundle: string, args: string[], env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, [bundle, ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, output };
}

describe("doctor predicts serve", () => {
  it("says everything is in place exactly when serve then becomes ready (built-in server)", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(SCRIPT_MODEL, s.modelDir, { recursive: true });
    const doctor = await run(s, ["doctor"], {});
    expect(doctor.code, doctor.output).toBe(0);
    expect(doctor.output).toMatch(/^ok +model: /m);
    expect(doctor.output).toMatch(new RegExp(`^ok +config: ${s.configPath} can be written$`, "m"));
    expect(doctor.output).toMatch(/^ok +worker files: /m);
    const cli = runCli([], { env: s.env({ SAGEMAKER_MODEL_SERVER_WORKERS: "1" }), cwd: s.dir });
    await cli.waitForOutput(/ready in \d+ ms/, 60_000);
    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
  });

  it("fails on a missing model directory when the built-in server would refuse it", async () => {
    const s = await useServeSetup({ flavors: [] });
    await rm(s.modelDir, { recursive: true });
    const { doctor, serve } = await doctorThenServe(s, {});
    expect(doctor.output).toMatch(
      new RegExp(
        `^fail +model: MODEL_SERVER_MODEL_NOT_FOUND: ${s.modelDir} does not exist.*\\n +fix: mount `,
        "m",
      ),
    );
    expect(serve.code).toBe(5);
    expect(serve.output).toContain("error MODEL_SERVER_MODEL_NOT_FOUND");
  });

  it("only warns on a missing model directory for MMS, which starts without it", async () => {
    const s = await useServeSetup({ flavors: ["mms"] });
    await rm(s.modelDir, { recursive: true });
    const doctor = await run(s, ["doctor"], { SAGEMAKER_SERVE_PYTHON: "python3" });
    expect(doctor.output).toMatch(new RegExp(`^warn +model: ${s.modelDir} does not exist; mms `, "m"));
    expect(doctor.output).not.toMatch(/^fail +model/m);
  });

  it("fails when a non-root user cannot write the config (default /etc path, and a read-only directory)", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(SCRIPT_MODEL, s.modelDir, { recursive: true });
    // The user may read everything of the setup, and write nothing of it.
    await chmod(s.dir, 0o755);
    await mkdir(dirname(s.configPath), { mode: 0o755 });
    const unset = { SAGEMAKER_SERVE_CONFIG_PATH: "" };
    const defaults = await doctorThenServe(s, unset, AS_NOBODY);
    expect(defaults.doctor.output).toMatch(
      /^fail +config: CONFIG_WRITE_FAILED: cannot write the server config to \/etc\/sagemaker-serve-builtin\.json: directory \/etc is not writable by this user\n +fix: set SAGEMAKER_SERVE_CONFIG_PATH /m,
    );
    expect(defaults.serve.code).toBe(4);
    expect(defaults.serve.output).toContain(
      "error CONFIG_WRITE_FAILED: cannot write the server config to /etc/sagemaker-serve-builtin.json",
    );

    const readOnly = await doctorThenServe(s, {}, AS_NOBODY);
    expect(readOnly.doctor.output).toMatch(
      new RegExp(`^fail +config: CONFIG_WRITE_FAILED: .*${s.configPath}`, "m"),
    );
    expect(readOnly.serve.code).toBe(4);
    expect(readOnly.serve.output).toContain(
      `error CONFIG_WRITE_FAILED: cannot write the server config to ${s.configPath}`,
    );
    // Refused before requirements, config or spawn.
    expect(readOnly.serve.output).not.toMatch(/requirements|config written|launcher spawned/);
  });

  it("fails when the built-in server's python/ is not next to the bundle; serve and model-server name it", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(SCRIPT_MODEL, s.modelDir, { recursive: true });
    const dist = join(s.dir, "dist-without-python");
    // The bundle and its small companions, without python/ (nor anything else that is not the bundle's).
    await cp(dirname(BUNDLE), dist, {
      recursive: true,
      filter: (path) => path === dirname(BUNDLE) || /\.(m?js|json|xml)$/.test(path),
    });
    const bundle = join(dist, basename(BUNDLE));
    const env = s.env({ SAGEMAKER_MODEL_SERVER_WORKERS: "1" });

    const doctor = await runBundleCopy(bundle, ["doctor"], env, s.dir);
    expect(doctor.code, doctor.output).toBe(1);
    expect(doctor.output).toMatch(
      new RegExp(
        `^fail +worker files: WORKER_FILES_MISSING: .*${join(dist, "python", "model_worker.py")} does not exist\\n +fix: copy the whole dist/ directory`,
        "m",
      ),
    );
    const serve = await runBundleCopy(bundle, ["serve"], env, s.dir);
    expect(serve.code).toBe(5);
    expect(serve.output).toContain(
      "error WORKER_FILES_MISSING: the built-in server's worker files are missing",
    );
    expect(serve.output).not.toMatch(/fix the handler|launcher spawned/);

    // The built-in server's own start (what serve spawns) says the same, not "fix the handler".
    const config = await runBundleCopy(bundle, ["config", "--backend", "builtin"], env, s.dir);
    expect(config.code).toBe(0);
    await mkdir(dirname(s.configPath), { recursive: true });
    await writeFile(s.configPath, config.output);
    const server = await runBundleCopy(bundle, ["model-server", "--config", s.configPath], env, s.dir);
    expect(server.code).toBe(5);
    expect(server.output).toContain("error WORKER_FILES_MISSING");
    expect(server.output).not.toContain("fix the handler");
  });

  it("fails when the port is taken", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(SCRIPT_MODEL, s.modelDir, { recursive: true });
    const blocker = createServer().listen(s.port, "0.0.0.0");
    await once(blocker, "listening");
    onTestFinished(() => void blocker.close());
    const { doctor, serve } = await doctorThenServe(s, {});
    expect(doctor.output).toMatch(
      new RegExp(`^fail +port: PORT_IN_USE: port ${s.port} is already in use`, "m"),
    );
    expect(serve.code).toBe(5);
    expect(serve.output).toContain(`error PORT_IN_USE: port ${s.port} is already in use`);
  });

  it("fails when the interpreter has no pip and a requirements file exists", async () => {
    const s = await useServeSetup({ flavors: [] });
    await cp(SCRIPT_MODEL, s.modelDir, { recursive: true });
    await writeFile(join(s.modelDir, "code", "requirements.txt"), "some-package==1.0\n");
    const venv = join(s.dir, "venv-without-pip");
    await promisify(execFile)("python3", ["-m", "venv", "--without-pip", venv]);
    const python = join(venv, "bin", "python");
    const { doctor, serve } = await doctorThenServe(s, { SAGEMAKER_SERVE_PYTHON: python });
    expect(doctor.output).toMatch(
      new RegExp(
        `^fail +pip: ${python} -m pip does not run and .*requirements\\.txt exists\\n +fix: .*${python} -m ensurepip`,
        "m",
      ),
    );
    expect(serve.code).toBe(3);
    expect(serve.output).toContain("error PIP_NOT_AVAILABLE");
  });
});
