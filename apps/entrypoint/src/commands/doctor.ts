import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { selectBackend } from "../backends/select-backend.ts";
import { EXIT } from "../exit-codes.ts";
import { findOnPath } from "../find-on-path.ts";
import { PID1_WARNING, runsAsPid1 } from "../pid1.ts";
import { choosePython } from "../python-for-launcher.ts";
import type { Runtime } from "../runtime.ts";
import { torchServeHandlerChecks } from "../torchserve-handler-check.ts";
import type { CommandIo } from "./command-io.ts";
import { metricsChecks } from "./doctor-metrics-checks.ts";
import { startChecks } from "./doctor-start-checks.ts";
import { readSettings } from "./environment.ts";
import { parseCommandArgs } from "./parse-command-args.ts";

const DOCTOR_HELP = `usage: sagemaker-serve doctor

Checks what \`serve\` needs (environment, backend, python and pip, java, model directory, config path, worker
files, port, metrics port) with the same environment, and prints ok/warn/fail per check with what to fix. Exit 1
when any check fails: \`serve\` would fail to start.
`;

export type CheckStatus = "ok" | "warn" | "fail";

/** One line of the doctor's report. */
export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

/** Runs a short version command; resolves with its first output line or undefined when it cannot run. */
function versionOf(
  command: string,
  args: string[],
  env: Readonly<Record<string, string | undefined>>,
  signal: AbortSignal,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: env as NodeJS.ProcessEnv, timeout: 10_000, signal },
      (error, stdout, stderr) => {
        if (error) return resolve(undefined);
        resolve(`${stdout}${stderr}`.trim().split("\n")[0]);
      },
    );
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Every check `doctor` makes, in report order. */
export async function runChecks(
  io: CommandIo,
  runtime: Pick<Runtime, "pid" | "pythonDir">,
): Promise<Check[]> {
  const checks: Check[] = [];
  const result = readSettings(io.env, {});
  if (!result.ok) {
    checks.push({
      name: "environment",
      status: "fail",
      detail: result.text.trim().replace(/\n/g, "\n    "),
      fix: "fix the variables listed; `serve` refuses to start until then",
    });
    return checks;
  }
  const { settings } = result;
  checks.push({ name: "environment", status: "ok", detail: `valid (model dir ${settings.modelDir})` });

  const choice = await selectBackend(settings.backend, (name) => findOnPath(name, io.env.PATH));
  for (const launcher of ["multi-model-server", "torchserve"]) {
    const path = await findOnPath(launcher, io.env.PATH);
    checks.push(
      path === undefined
        ? { name: launcher, status: "ok", detail: "not on PATH (not needed for the built-in server)" }
        : { name: launcher, status: "ok", detail: path },
    );
  }
  const needsLauncher = choice.backend.launcher !== undefined;
  checks.push(
    needsLauncher && choice.launcherPath === undefined
      ? {
          name: "backend",
          status: "fail",
          detail: `${choice.backend.name} selected but ${choice.backend.launcher} is not on PATH`,
          fix: `install it, or set SAGEMAKER_SERVE_BACKEND=builtin`,
        }
      : { name: "backend", status: "ok", detail: `${choice.backend.name} (${choice.reason})` },
  );

  const python = await choosePython({
    explicit: io.env.SAGEMAKER_SERVE_PYTHON || undefined,
    launcherPath: needsLauncher ? choice.launcherPath : undefined,
  });
  const pythonVersion = await versionOf(python.python, ["--version"], io.env, io.signal);
  checks.push(
    pythonVersion === undefined
      ? {
          name: "python",
          status: "fail",
          detail: `${python.python} (from ${python.source}) cannot be run`,
          fix: "install Python 3 in the image or set SAGEMAKER_SERVE_PYTHON to its path",
        }
      : {
          name: "python",
          status: "ok",
          detail: `${python.python}: ${pythonVersion} (from ${python.source})`,
        },
  );
  const hasRequirements = await exists(settings.requirementsPath);
  const pipVersion =
    pythonVersion === undefined
      ? undefined
      : await versionOf(python.python, ["-m", "pip", "--version"], io.env, io.signal);
  checks.push(
    pipVersion !== undefined
      ? { name: "pip", status: "ok", detail: pipVersion }
      : {
          name: "pip",
          status: hasRequirements ? "fail" : "warn",
          detail: `${python.python} -m pip does not run${hasRequirements ? ` and ${settings.requirementsPath} exists` : ""}`,
          fix: `install pip for that Python (\`${python.python} -m ensurepip\`; Debian's own python3: python3-pip)`,
        },
  );
  if (pythonVersion !== undefined) {
    const handler = { settings, backend: choice.backend.name, python: python.python };
    checks.push(...(await torchServeHandlerChecks({ ...handler, env: io.env, signal: io.signal })));
  }
  const javaVersion = await versionOf("java", ["-version"], io.env, io.signal);
  checks.push(
    javaVersion !== undefined
      ? { name: "java", status: "ok", detail: javaVersion }
      : {
          name: "java",
          status: needsLauncher ? "fail" : "ok",
          detail: needsLauncher
            ? "not found, but MMS and TorchServe need it"
            : "not found (not needed for the built-in server)",
          ...(needsLauncher
            ? { fix: "install a JRE (Debian: openjdk-17-jre-headless) or use the built-in server" }
            : {}),
        },
  );
  checks.push(
    runsAsPid1(runtime.pid)
      ? {
          name: "init",
          status: "warn",
          detail: "running as PID 1 without an init",
          fix: PID1_WARNING.split("Fix: ")[1],
        }
      : { name: "init", status: "ok", detail: "not PID 1 (an init or the platform reaps orphans)" },
  );
  checks.push(...(await startChecks(settings, choice.backend, runtime.pythonDir)));
  checks.push(...(await metricsChecks(settings, choice.backend.name, io.env)));
  return checks;
}

/** `sagemaker-serve doctor`: checks the machine and says what to fix; exit 1 when anything fails. */
export async function runDoctor(
  argv: string[],
  io: CommandIo,
  runtime: Pick<Runtime, "pid" | "pythonDir">,
): Promise<number> {
  const parsed = parseCommandArgs("doctor", argv, { options: {}, help: DOCTOR_HELP }, io);
  if ("exit" in parsed) return parsed.exit;
  const checks = await runChecks(io, runtime);
  for (const check of checks) {
    io.stdout(`${check.status.padEnd(4)} ${check.name}: ${check.detail}\n`);
    if (check.fix !== undefined && check.status !== "ok") io.stdout(`     fix: ${check.fix}\n`);
  }
  const failed = checks.filter((check) => check.status === "fail").length;
  io.stdout(failed === 0 ? "everything needed is in place\n" : `${failed} problem(s) to fix\n`);
  return failed === 0 ? EXIT.ok : EXIT.failure;
}
