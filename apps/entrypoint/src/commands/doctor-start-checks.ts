import { stat } from "node:fs/promises";
import type { ServeSettings } from "@sagemaker-serve/env-config";
import type { ServeError } from "@sagemaker-serve/errors";
import type { Backend } from "../backends/backend.ts";
import { portError } from "../port-check.ts";
import { checkConfigPath, checkWorkerFiles, configPathSource } from "../start-checks.ts";
import type { Check } from "./doctor.ts";

function failed(name: string, error: ServeError): Check {
  return { name, status: "fail", detail: `${error.code}: ${error.message}`, ...fixOf(error) };
}

function fixOf(error: ServeError): { fix?: string } {
  return error.hint === undefined ? {} : { fix: error.hint };
}

/** The model directory: the built-in server refuses to start without it (MODEL_SERVER_MODEL_NOT_FOUND). */
async function modelCheck(settings: ServeSettings, backend: Backend): Promise<Check> {
  const info = await stat(settings.modelDir).catch(() => undefined);
  if (info !== undefined) return { name: "model", status: "ok", detail: `${settings.modelDir} exists` };
  if (settings.multiModel) {
    return {
      name: "model",
      status: "ok",
      detail: `${settings.modelDir} does not exist yet (multi-model: models are loaded through the API)`,
    };
  }
  const fix =
    "mount or extract the model at the model directory (SAGEMAKER_BASE_DIR/model, default /opt/ml/model)";
  if (backend.name === "builtin") {
    return {
      name: "model",
      status: "fail",
      detail: `MODEL_SERVER_MODEL_NOT_FOUND: ${settings.modelDir} does not exist; the built-in server will not start`,
      fix,
    };
  }
  return {
    name: "model",
    status: "warn",
    detail: `${settings.modelDir} does not exist; ${backend.name} will have no model to load`,
    fix,
  };
}

/**
 * The checks `serve` makes before its launcher starts (start-checks.ts, port-check.ts), as doctor lines: each
 * `fail` here is a start `serve` would refuse, with the same code.
 */
export async function startChecks(
  settings: ServeSettings,
  backend: Backend,
  pythonDir: string,
): Promise<Check[]> {
  const checks: Check[] = [await modelCheck(settings, backend)];
  const configPath = settings.configPath ?? backend.defaultConfigPath;
  const configProblem = await checkConfigPath(configPath, configPathSource(settings.configPath));
  checks.push(
    configProblem === undefined
      ? { name: "config", status: "ok", detail: `${configPath} can be written` }
      : failed("config", configProblem),
  );
  if (backend.name === "builtin") {
    const workerProblem = await checkWorkerFiles(pythonDir);
    checks.push(
      workerProblem === undefined
        ? { name: "worker files", status: "ok", detail: `${pythonDir} has the built-in server's workers` }
        : failed("worker files", workerProblem),
    );
  }
  const portProblem = await portError(settings.bindPort);
  checks.push(
    portProblem === undefined
      ? { name: "port", status: "ok", detail: `${settings.bindPort} is free` }
      : failed("port", portProblem),
  );
  return checks;
}
