export { parseServeEnvironment, type ServeEnvironment } from "./parse-serve-environment.ts";
export type { ServeSettings, TorchServeSettings } from "./settings.ts";
export { renderMmsConfig, type RenderConfigOptions } from "./render-mms-config.ts";
export { renderTorchServeConfig, torchServeModelsValue } from "./render-torchserve-config.ts";
export {
  renderBuiltinConfig,
  builtinServerConfig,
  builtinDrainMs,
  type BuiltinServerConfig,
} from "./render-builtin-config.ts";
export {
  buildLauncherCommand,
  type BuildLauncherCommandOptions,
  type LauncherCommand,
} from "./build-launcher-command.ts";
export { EnvInvalidError, formatProblem, type EnvConfigErrorCode, type EnvProblem } from "./errors.ts";
export { SERVE_ENV_VARIABLES } from "./variables.ts";
export type { EnvVariable } from "./env-variable.ts";
export { serveEnvironmentSchema, renderVariableTable } from "./variable-table.ts";
export { parsePythonInt } from "./python-int.ts";
export { looksLikeCredential } from "./describe-value.ts";
export { pythonJoin, deriveModelPaths } from "./paths.ts";
export { defaultHandlerService, handlerServiceFor } from "./handler-service.ts";
export {
  BACKENDS,
  BUILTIN_CONFIG_FILE,
  DEFAULT_HANDLER_SERVICE,
  DEFAULT_MODEL_NAME,
  LOG_FORMATS,
  MMS_CONFIG_FILE,
  MMS_DEFAULT_JOB_QUEUE_SIZE,
  MMS_DEFAULT_MAX_REQUEST_BYTES,
  MMS_DEFAULT_RESPONSE_TIMEOUT_MINUTES,
  MMS_MAIN_CLASS,
  NO_STARTUP_DEADLINE_MS,
  TS_CONFIG_FILE,
  TS_DEFAULT_HANDLER_SERVICE,
  TS_MAIN_CLASS,
  type Backend,
  type LogFormat,
} from "./constants.ts";
export { DEFAULT_MMS_TEMPLATE, DEFAULT_TS_TEMPLATE, MME_MMS_TEMPLATE, MME_TS_TEMPLATE } from "./templates.ts";
