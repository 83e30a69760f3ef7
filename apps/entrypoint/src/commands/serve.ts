import { mkdir, stat } from "node:fs/promises";
import { NO_STARTUP_DEADLINE_MS, type ServeSettings } from "@sagemaker-serve/env-config";
import { ServeError, formatError, isServeError, redactArgs } from "@sagemaker-serve/errors";
import { exitCodeFor, modelServerPidFilePath, type ServerHandle } from "@sagemaker-serve/process-lifecycle";
import { writeFileAtomic } from "../atomic-write.ts";
import { EXIT } from "../exit-codes.ts";
import { createLogger, type Logger } from "../logger.ts";
import { PID1_WARNING, runsAsPid1 } from "../pid1.ts";
import { planLaunch } from "../plan-launch.ts";
import { portError } from "../port-check.ts";
import { choosePython, type PythonChoice } from "../python-for-launcher.ts";
import type { Runtime } from "../runtime.ts";
import {
  CONFIG_PATH_HINT,
  checkConfigPath,
  checkWorkerFiles,
  configPathSource,
  type StartCheckCode,
} from "../start-checks.ts";
import type { CommandIo } from "./command-io.ts";
import { readSettings } from "./environment.ts";
import { parseCommandArgs } from "./parse-command-args.ts";

/** Every ServeError code the serve command itself throws. */
export type ServeErrorCode =
  "LAUNCHER_NOT_FOUND" | "PORT_IN_USE" | "CONFIG_WRITE_FAILED" | "REQUIREMENTS_FAILED" | StartCheckCode;

export const SERVE_HELP = `usage: sagemaker-serve serve [--backend auto|mms|torchserve|builtin] [--handler HANDLER]

Validates the environment, installs <model dir>/code/requirements.txt, writes the server config, starts the
model server, waits until /ping says healthy and supervises it until SIGTERM/SIGINT.
  --backend B    same as SAGEMAKER_SERVE_BACKEND (default auto: MMS, else TorchServe, else built-in)
  --handler H    same as SAGEMAKER_SERVE_HANDLER: the handler service (start_model_server(handler_service=H))
`;

function stoppedDuringStartup(runtime: Runtime, log: Logger): number {
  log.info(`stopped during start-up (${runtime.stopSignal() ?? "abort"})`);
  return EXIT.ok;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function installRequirements(
  settings: ServeSettings,
  { python, source }: PythonChoice,
  io: CommandIo,
  runtime: Runtime,
  log: Logger,
): Promise<void> {
  const started = runtime.uptimeMs();
  // The toolkit's single existence check (toolkit-behaviour.md §2.1 step 5).
  if (!(await exists(settings.requirementsPath))) {
    log.phase(
      "requirements",
      runtime.uptimeMs() - started,
      `requirements: none (no ${settings.requirementsPath})`,
    );
    return;
  }
  let index;
  if (settings.caRepositoryArn) {
    const caStarted = runtime.uptimeMs();
    const durationSeconds = Math.min(43_200, Math.max(900, Math.ceil(settings.pipTimeoutMs / 1000) + 60));
    index = await runtime.services.resolvePipIndex(settings.caRepositoryArn, io.signal, durationSeconds);
    log.phase(
      "codeartifact",
      runtime.uptimeMs() - caStarted,
      `CodeArtifact index resolved: ${index.indexUrl}`,
    );
  }
  log.info(`installing packages from requirements.txt with ${python} (from ${source})`, {
    path: settings.requirementsPath,
  });
  // If sagemaker-serve dies of a bug mid-install, the abort kills pip's process group synchronously.
  const crash = new AbortController();
  const forgetCrashCleanup = runtime.onCrash(() => {
    crash.abort(new Error("sagemaker-serve crashed"));
    return "killed pip's process group";
  });
  let result;
  try {
    result = await runtime.services.installRequirements({
      python,
      requirementsPath: settings.requirementsPath,
      index,
      cwd: io.cwd,
      timeoutMs: settings.pipTimeoutMs,
      force: settings.pipForce,
      allowIndexOptions: settings.pipAllowIndexOptions,
      signal: AbortSignal.any([io.signal, crash.signal]),
      onLine: (line) => io.stderr(`${line}\n`),
      onWarning: (message) => log.warn(message),
    });
  } finally {
    forgetCrashCleanup();
  }
  const what = result.skipped
    ? `requirements already installed${result.detail ? ` (${result.detail})` : ""}`
    : "requirements installed";
  log.phase("requirements", runtime.uptimeMs() - started, what);
}

/** The exit code for a start-up failure, by the error's code (README exit-code table). */
export function failureCode(error: unknown): number {
  if (!isServeError(error)) return EXIT.failure;
  const code = error.code;
  if (code === "ENV_INVALID" || code === "CONFIG_VALUE_INVALID" || code === "CONFIG_PATH_INVALID") {
    return EXIT.usage;
  }
  if (code === "CONFIG_WRITE_FAILED" || code.startsWith("ARCHIVE")) return EXIT.prepare;
  if (code.startsWith("CODEARTIFACT") || code.startsWith("PIP_") || code.startsWith("REQUIREMENTS")) {
    return EXIT.requirements;
  }
  return EXIT.startup;
}

/**
 * `sagemaker-serve serve`: the whole start-up flow of the Python toolkit's `start_model_server`, then
 * supervision until the server exits or we are asked to stop. Returns the exit code (README table).
 */
export async function runServe(argv: string[], io: CommandIo, runtime: Runtime): Promise<number> {
  const parsed = parseCommandArgs(
    "serve",
    argv,
    { options: { backend: { type: "string" }, handler: { type: "string" } }, help: SERVE_HELP },
    io,
  );
  if ("exit" in parsed) return parsed.exit;
  const flags = parsed.values as { backend?: string; handler?: string };
  const envStarted = runtime.uptimeMs();
  const rawFormat = io.env.SAGEMAKER_SERVE_LOG_FORMAT === "json" ? "json" : "text";
  let log = createLogger({ write: io.stderr, format: rawFormat });
  const result = readSettings(io.env, flags);
  if (!result.ok) {
    io.stderr(result.text);
    return EXIT.usage;
  }
  const { settings } = result;
  log = log.withFormat(settings.logFormat);
  log.phase("environment", runtime.uptimeMs() - envStarted, "environment valid", {
    modelDir: settings.modelDir,
    multiModel: settings.multiModel,
  });
  for (const warning of settings.warnings) log.warn(warning);
  if (settings.startupTimeoutMs === 0) {
    log.warn(
      "SAGEMAKER_STARTUP_TIMEOUT=0: no start-up deadline; the platform's health check bounds the start",
    );
  }
  if (runsAsPid1(runtime.pid)) log.warn(PID1_WARNING);

  let handle: ServerHandle | undefined;
  // If sagemaker-serve itself dies of a bug, the server must not outlive it.
  const forgetCrashCleanup = runtime.onCrash(() => {
    if (handle === undefined) return undefined;
    handle.killNow();
    return "killed the model server's process groups";
  });
  try {
    const plan = await planLaunch(settings, io, runtime);
    log.info(`backend ${plan.backend.name}: ${plan.reason}`, { backend: plan.backend.name });
    if (plan.backend.launcher !== undefined && plan.launcherPath === undefined) {
      throw new ServeError(
        "LAUNCHER_NOT_FOUND",
        `${plan.backend.launcher} is not on PATH (backend ${plan.backend.name})`,
        {
          hint: `install ${plan.backend.name === "mms" ? "multi-model-server" : "torchserve"} in the image, or set SAGEMAKER_SERVE_BACKEND=builtin`,
        },
      );
    }

    // Before pip, which can take minutes: what would make the start fail anyway.
    const configProblem = await checkConfigPath(plan.configPath, configPathSource(settings.configPath));
    if (configProblem !== undefined) throw configProblem;
    if (plan.backend.name === "builtin") {
      const workerProblem = await checkWorkerFiles(runtime.pythonDir);
      if (workerProblem !== undefined) throw workerProblem;
    }

    const python = await choosePython({
      explicit: io.env.SAGEMAKER_SERVE_PYTHON || undefined,
      launcherPath: plan.backend.name === "builtin" ? undefined : plan.launcherPath,
    });
    if (io.signal.aborted) return stoppedDuringStartup(runtime, log);
    await installRequirements(settings, python, io, runtime, log);

    const archiveStarted = runtime.uptimeMs();
    if (plan.modelStore !== undefined) await mkdir(plan.modelStore, { recursive: true });
    log.phase(
      "archive",
      runtime.uptimeMs() - archiveStarted,
      `archive: none needed, ${plan.backend.name} loads ${settings.multiModel ? "models" : settings.modelDir} as a directory`,
    );

    const configStarted = runtime.uptimeMs();
    try {
      await writeFileAtomic(plan.configPath, plan.configText);
    } catch (error) {
      throw new ServeError(
        "CONFIG_WRITE_FAILED",
        `cannot write the server config to ${plan.configPath}: ${(error as Error).message}`,
        {
          hint: CONFIG_PATH_HINT,
          cause: error,
        },
      );
    }
    log.phase("config", runtime.uptimeMs() - configStarted, `config written to ${plan.configPath}`);

    if (plan.backend.usesPidFile) {
      const pidFile = await modelServerPidFilePath({ env: io.env, cwd: io.cwd });
      const cleared = await runtime.services.clearStalePidFile({ path: pidFile });
      if (cleared.action === "removed") {
        log.info(
          `removed stale pid file ${pidFile} (${cleared.reason}${cleared.pid === null ? "" : `, pid ${cleared.pid}`})`,
        );
      } else if (cleared.action === "kept") {
        log.warn(
          `pid file ${pidFile} belongs to a running model server (pid ${cleared.pid}); the launcher will refuse to start`,
        );
      }
    }
    const portProblem = await portError(settings.bindPort);
    if (portProblem !== undefined) throw portProblem;
    if (io.signal.aborted) return stoppedDuringStartup(runtime, log);

    const spawnStarted = runtime.uptimeMs();
    handle = runtime.services.startServer({
      command: plan.command,
      args: plan.args,
      env: { ...io.env, ...plan.envChanges },
      cwd: io.cwd,
      mainClass: plan.backend.mainClass,
      // Every launcher we start runs with --foreground: its exit before the server appears is a failure.
      foreground: true,
      readiness: { url: `http://127.0.0.1:${settings.bindPort}/ping`, isHealthy: plan.backend.isHealthy },
      startupTimeoutMs: settings.startupTimeoutMs === 0 ? NO_STARTUP_DEADLINE_MS : settings.startupTimeoutMs,
      stopGraceMs: settings.stopGraceMs,
      signal: io.signal,
      onEvent: (event) => {
        if (event.type === "spawned") {
          log.phase(
            "spawn",
            runtime.uptimeMs() - spawnStarted,
            `launcher spawned (pid ${event.pid}): ${redactArgs([plan.command, ...plan.args]).join(" ")}`,
            {
              pid: event.pid,
            },
          );
        } else if (event.type === "found") {
          log.phase("found", event.ms, `server process found (pid ${event.pid}, via ${event.via})`, {
            pid: event.pid,
          });
        } else if (event.type === "stopping") {
          log.info(`stopping the server (${event.reason}); grace ${settings.stopGraceMs} ms`);
        } else if (event.type === "escalated") {
          log.warn("server did not stop in time: sent SIGKILL to its process group");
        }
      },
    });
    return await supervise(handle, runtime, log, settings);
  } catch (error) {
    if (handle !== undefined) await handle.stop({ reason: "start-up failed" });
    if (runtime.stopSignal() !== undefined && io.signal.aborted) return stoppedDuringStartup(runtime, log);
    log.error(formatError(error));
    return failureCode(error);
  } finally {
    forgetCrashCleanup();
  }
}

/** Waits for readiness, then until the server is gone; returns the exit code. */
async function supervise(
  server: ServerHandle,
  runtime: Runtime,
  log: Logger,
  settings: ServeSettings,
): Promise<number> {
  runtime.setForwardTarget((signal) => void server.signal(signal));
  const escalate = () => void server.kill({ reason: "second stop signal" });
  runtime.escalation.addEventListener("abort", escalate, { once: true });

  try {
    await server.ready;
    const readyMs = Math.round(runtime.uptimeMs());
    log.info(`ready in ${readyMs} ms`, { phase: "ready", durationMs: readyMs, port: settings.bindPort });
  } catch (error) {
    const exit = await server.exited;
    if (runtime.stopSignal() !== undefined) {
      log.info(`stopped before the server was ready (${runtime.stopSignal()})`);
      return exitCodeFor(exit.kind === "failed" ? { ...exit, kind: "stopped" } : exit);
    }
    log.error(formatError(error));
    return EXIT.startup;
  }

  const exit = await server.exited;
  runtime.escalation.removeEventListener("abort", escalate);
  runtime.setForwardTarget(undefined);
  const code = exitCodeFor(exit);
  if (exit.kind === "exited") {
    log.error(
      `the model server exited by itself${exit.code === null ? "" : ` with code ${exit.code}`}${exit.signal === null ? "" : ` by ${exit.signal}`}; exiting ${code === 0 ? EXIT.failure : code}`,
    );
    return code === 0 ? EXIT.failure : code;
  }
  log.info(
    `server stopped (${exit.kind}${exit.stoppedBy ? `, ${exit.stoppedBy}` : ""}) after ${Math.round(exit.ranMs)} ms; exiting ${code}`,
  );
  return code;
}
