import * as v from "valibot";
import { MMS_DEFAULT_RESPONSE_TIMEOUT_MINUTES } from "./constants.ts";
import { describeReceived } from "./describe-value.ts";
import type { EnvVariable } from "./env-variable.ts";
import { EnvInvalidError, type EnvProblem } from "./errors.ts";
import { deriveModelPaths } from "./paths.ts";
import { parseHandler } from "./rules.ts";
import type { ServeSettings } from "./settings.ts";
import {
  SERVE_ENV_VARIABLES,
  accessLogPingVariable,
  accessLogVariable,
  backendVariable,
  baseDirVariable,
  bodyTimeoutVariable,
  maxBufferedVariable,
  maxConnectionsVariable,
  bindPortVariable,
  caRepositoryArnVariable,
  configPathVariable,
  defaultAcceptVariable,
  handlerMetricsSeriesVariable,
  handlerServiceVariable,
  logFormatVariable,
  maxPayloadVariable,
  metricsAddressVariable,
  metricsPortVariable,
  modelServerTimeoutSecondsVariable,
  modelServerTimeoutVariable,
  multiModelVariable,
  pipTimeoutVariable,
  pipForceVariable,
  pipAllowIndexOptionsVariable,
  programVariable,
  pythonPathVariable,
  pythonVariable,
  safePortRangeVariable,
  sagemakerHandlerVariable,
  startupTimeoutVariable,
  stopGraceVariable,
  tsBatchSizeVariable,
  tsMaxBatchDelayVariable,
  tsMaxWorkersVariable,
  tsMinWorkersVariable,
  tsResponseTimeoutVariable,
  vmargsVariable,
  workersVariable,
} from "./variables.ts";

/** The environment as a plain map; the entrypoint passes the process environment in, nothing here reads it. */
export type ServeEnvironment = Readonly<Record<string, string | undefined>>;

const TS_VARIABLES = [
  tsBatchSizeVariable,
  tsMaxBatchDelayVariable,
  tsMinWorkersVariable,
  tsMaxWorkersVariable,
  tsResponseTimeoutVariable,
];
const LOOKS_LIKE_TRUE = new Set(["true", "1", "yes", "on", "y"]);

function mebibytes(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1024 * 1024;
}

/** The per-request timeout MMS derives from the two timeout values (`_seconds` wins; the other is minutes). */
function mmsRequestTimeoutMs(timeout: number, timeoutSeconds: number | undefined): number {
  if (timeoutSeconds) return timeoutSeconds * 1000;
  return (timeout || MMS_DEFAULT_RESPONSE_TIMEOUT_MINUTES) * 60_000;
}

/**
 * Parses and validates the serving environment exactly as the Python toolkits read it, plus our own
 * `SAGEMAKER_SERVE_*` settings. Every problem is collected; if there is any, throws one `ENV_INVALID`
 * error (`EnvInvalidError`) listing `NAME: problem (got "value")` for each bad variable.
 */
export function parseServeEnvironment(env: ServeEnvironment): ServeSettings {
  if (typeof env !== "object" || env === null) {
    throw new TypeError(`parseServeEnvironment: env must be an object of strings, got ${String(env)}`);
  }
  const problems: EnvProblem[] = [];
  const report = (name: string, problem: string): void => {
    problems.push({ name, problem, received: describeReceived(String(env[name])) });
  };
  const values = new Map<string, unknown>();
  for (const variable of SERVE_ENV_VARIABLES) {
    const raw = env[variable.name];
    if (raw !== undefined && typeof raw !== "string") {
      throw new TypeError(`parseServeEnvironment: env.${variable.name} must be a string, got ${typeof raw}`);
    }
    const result = v.safeParse(variable.schema, raw);
    if (result.success) values.set(variable.name, result.output);
    else report(variable.name, result.issues[0].message);
  }
  const get = <T>(variable: EnvVariable<T>): T => values.get(variable.name) as T;
  const has = (variable: EnvVariable): boolean => values.has(variable.name);

  const multiModel = get(multiModelVariable);
  const sagemakerHandler = get(sagemakerHandlerVariable);
  // Only multi-model mode hands SAGEMAKER_HANDLER to MMS's $$SAGEMAKER_HANDLER$$ substitution.
  if (multiModel && sagemakerHandler) {
    const handler = parseHandler(sagemakerHandler);
    if (!handler.ok) report(sagemakerHandlerVariable.name, handler.problem);
  }
  if (
    has(tsMinWorkersVariable) &&
    has(tsMaxWorkersVariable) &&
    get(tsMinWorkersVariable) > get(tsMaxWorkersVariable)
  ) {
    report(
      tsMinWorkersVariable.name,
      `must not exceed SAGEMAKER_TS_MAX_WORKERS (${get(tsMaxWorkersVariable)})`,
    );
  }
  if (problems.length > 0) {
    const order = SERVE_ENV_VARIABLES.map((variable) => variable.name);
    throw new EnvInvalidError(problems.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name)));
  }

  const warnings: string[] = [];
  const multiModelRaw = env[multiModelVariable.name];
  if (multiModelRaw !== undefined && !multiModel && LOOKS_LIKE_TRUE.has(multiModelRaw.trim().toLowerCase())) {
    warnings.push(
      `SAGEMAKER_MULTI_MODEL=${JSON.stringify(multiModelRaw)} does not enable multi-model mode: only the exact string "true" does`,
    );
  }

  const baseDir = get(baseDirVariable);
  const program = get(programVariable);
  const defaultResponseTimeout = get(modelServerTimeoutVariable);
  const defaultResponseTimeoutSeconds = get(modelServerTimeoutSecondsVariable);
  const modelServerWorkers = get(workersVariable);
  return {
    baseDir,
    multiModel,
    ...deriveModelPaths(baseDir, multiModel),
    program,
    moduleName: program.endsWith(".py") ? program.slice(0, -3) : program,
    defaultResponseTimeout,
    defaultResponseTimeoutSeconds,
    requestTimeoutMs: mmsRequestTimeoutMs(defaultResponseTimeout, defaultResponseTimeoutSeconds),
    modelServerWorkers,
    workers:
      modelServerWorkers === undefined || Number(modelServerWorkers) === 0
        ? null
        : Number(modelServerWorkers),
    startupTimeoutMs: get(startupTimeoutVariable) * 1000,
    defaultInvocationsAccept: get(defaultAcceptVariable),
    bindPort: get(bindPortVariable),
    safePortRange: get(safePortRangeVariable),
    vmargs: get(vmargsVariable),
    maxRequestBytes: get(maxPayloadVariable),
    sagemakerHandler,
    caRepositoryArn: get(caRepositoryArnVariable),
    pythonPath: get(pythonPathVariable),
    torchServe: {
      batchSize: get(tsBatchSizeVariable),
      maxBatchDelayMs: get(tsMaxBatchDelayVariable),
      minWorkers: get(tsMinWorkersVariable),
      maxWorkers: get(tsMaxWorkersVariable),
      responseTimeoutSeconds: get(tsResponseTimeoutVariable),
      fromEnv: TS_VARIABLES.some((variable) => env[variable.name] !== undefined),
    },
    backend: get(backendVariable),
    handlerService: get(handlerServiceVariable),
    handlerServiceSet: Boolean(env[handlerServiceVariable.name]),
    configPath: get(configPathVariable),
    stopGraceMs: get(stopGraceVariable) * 1000,
    python: get(pythonVariable),
    logFormat: get(logFormatVariable),
    metricsPort: get(metricsPortVariable),
    metricsAddress: get(metricsAddressVariable),
    accessLog: get(accessLogVariable),
    accessLogPingSample: get(accessLogPingVariable),
    handlerMetricsMaxSeries: get(handlerMetricsSeriesVariable),
    pipTimeoutMs: get(pipTimeoutVariable) * 1000,
    pipForce: get(pipForceVariable),
    pipAllowIndexOptions: get(pipAllowIndexOptionsVariable),
    bodyTimeoutMs: get(bodyTimeoutVariable) * 1000,
    maxConnections: get(maxConnectionsVariable),
    maxBufferedBytes: mebibytes(get(maxBufferedVariable)),
    warnings,
  };
}
